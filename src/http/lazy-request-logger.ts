import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilent } from 'pino';

/**
 * Fastify gives every request a child logger bound to its id. A pino child serializes its
 * bindings through the redaction paths when it is made, which cost about as much per request as
 * the rest of our logging; most requests never log beyond the access line (written from the
 * parent, with the id). So the request's logger makes its pino child on first use: a request
 * that logs gets the same redacted lines, bound to its id, as before; one that does not pays
 * nothing. A class, so a request costs one small object and no closures.
 */
export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options);
}

type LogArgs = Parameters<FastifyBaseLogger['info']>;

class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): LevelWithSilent | string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: LevelWithSilent | string) {
    this.real().level = level;
  }

  fatal(...args: LogArgs): void {
    this.real().fatal(...args);
  }
  error(...args: LogArgs): void {
    this.real().error(...args);
  }
  warn(...args: LogArgs): void {
    this.real().warn(...args);
  }
  info(...args: LogArgs): void {
    this.real().info(...args);
  }
  debug(...args: LogArgs): void {
    this.real().debug(...args);
  }
  trace(...args: LogArgs): void {
    this.real().trace(...args);
  }
  silent(...args: LogArgs): void {
    this.real().silent(...args);
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}
