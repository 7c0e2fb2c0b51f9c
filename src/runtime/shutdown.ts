import type { Closable } from '../feature.js';
import type { Logger } from '../logger.js';
import type { HealthRegistry } from './health.js';

export interface ShutdownParts {
  logger: Logger;
  health: HealthRegistry;
  /** The HTTP server: closed first, so no new request starts. */
  server: { close(): Promise<unknown> };
  /** Workers, schedulers and what they use, in start order; closed in reverse. */
  running: readonly Closable[];
  /** Shared connections and the private Redis, closed last. */
  finally: () => Promise<void>;
  deadlineMs: number;
  /** Called when the deadline passes with work still active (main.ts exits non-zero). */
  onDeadline: () => void;
}

/**
 * Graceful shutdown: turn not-ready, stop taking requests, let workers finish their active jobs
 * (BullMQ's close() waits for them), then close connections. If that takes longer than the
 * deadline, log what was still active and give up.
 */
export async function shutDown(
  parts: ShutdownParts,
  signal: string,
): Promise<'stopped' | 'deadline'> {
  const { logger } = parts;
  parts.health.markShuttingDown();
  logger.info({ signal, deadlineMs: parts.deadlineMs }, 'shutting down');
  const pending = new Set(parts.running);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), parts.deadlineMs);
    timer.unref();
  });
  const orderly = (async () => {
    await parts.server.close();
    await Promise.allSettled(
      [...parts.running].reverse().map(async (part) => {
        await part.close();
        pending.delete(part);
      }),
    );
    await parts.finally();
    return 'stopped' as const;
  })();
  const outcome = await Promise.race([orderly, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    const still = [...pending].map((part) => ({ part: part.name, active: part.active?.() ?? [] }));
    logger.error({ still }, 'shutdown deadline passed with work still active; exiting');
    parts.onDeadline();
    return 'deadline';
  }
  logger.info('stopped');
  return 'stopped';
}
