import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/**
 * Fastify gives every request a child logger bound to its id. A pino child serializes its
 * bindings through the redaction paths when it is made, which cost about as much per request as
 * the rest of our logging; most requests never log beyond the access line (written from the
 * parent, with the id). So the request's logger makes its pino child on first use: a request
 * that logs gets the same redacted lines, bound to its id, as before; one that does not pays
 * nothing.
 */
export function lazyChildLoggerFactory(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  let made: FastifyBaseLogger | undefined;
  const real = () => {
    made ??= parent.child(bindings, options);
    return made;
  };
  return {
    get level() {
      return made?.level ?? parent.level;
    },
    set level(level) {
      real().level = level;
    },
    fatal: (...args: Parameters<FastifyBaseLogger['fatal']>) => real().fatal(...args),
    error: (...args: Parameters<FastifyBaseLogger['error']>) => real().error(...args),
    warn: (...args: Parameters<FastifyBaseLogger['warn']>) => real().warn(...args),
    info: (...args: Parameters<FastifyBaseLogger['info']>) => real().info(...args),
    debug: (...args: Parameters<FastifyBaseLogger['debug']>) => real().debug(...args),
    trace: (...args: Parameters<FastifyBaseLogger['trace']>) => real().trace(...args),
    silent: (...args: Parameters<FastifyBaseLogger['silent']>) => real().silent(...args),
    child: (childBindings: Bindings, childOptions?: ChildLoggerOptions) =>
      real().child(childBindings, childOptions),
  };
}
