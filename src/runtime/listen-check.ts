import { once } from 'node:events';
import { createServer } from 'node:net';

/** Why the HTTP listener cannot open, in one line that names the setting to change. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** The listen failures a person can fix by changing HOST or PORT, and what to tell them. */
const LISTEN_FAILURES: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (host, port) =>
    `port ${port} on ${host} is already in use: set PORT to a free port (or stop what listens there)`,
  EACCES: (host, port) =>
    `port ${port} on ${host} needs privileges this process lacks: set PORT to 1024 or above`,
  EADDRNOTAVAIL: (host) => `${host} is not an address of this machine: set HOST to one that is`,
};

/** The one-line reason for a listen error, or undefined when it is not one of LISTEN_FAILURES. */
export function listenFailure(error: unknown, host: string, port: number): ListenError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const describe = code === undefined ? undefined : LISTEN_FAILURES[code];
  return describe === undefined ? undefined : new ListenError(describe(host, port));
}

/**
 * Opens and closes a listener on HOST:PORT, so a taken port is reported before anything else
 * starts (Redis, sandbox providers, workers). Port 0 (any free port) always passes.
 */
export async function checkListenAddress(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  probe.listen({ host, port, exclusive: true });
  try {
    await once(probe, 'listening');
  } catch (error) {
    throw listenFailure(error, host, port) ?? error;
  }
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
