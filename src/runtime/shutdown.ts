import type { Logger } from '../logger.js';
import { CLOSE_PHASES, type Closable, type ClosePhase } from '../runtime/closable.js';
import type { HealthRegistry } from './health.js';

export interface ShutdownParts {
  logger: Logger;
  health: HealthRegistry;
  /** The HTTP server: closed first, so no new request starts (in-flight requests finish). */
  server: { close(): Promise<unknown> };
  /** Everything else the process started, closed phase by phase (see CLOSE_PHASES). */
  running: readonly Closable[];
  deadlineMs: number;
  /** Called when the deadline passes with work still active (main.ts exits non-zero). */
  onDeadline: () => void;
}

/**
 * Closes `parts` one phase after the other, in CLOSE_PHASES order; the parts of one phase close
 * together. A part that fails to close does not hold back the next phase (the failure is passed
 * to `onFailure`). `onClosing` and `onClosed` hear of each part as it starts and ends closing,
 * `onPhase` of each phase once all its parts have closed.
 */
export async function closeInPhases(
  parts: readonly Closable[],
  hooks: {
    onClosing?: (part: Closable) => void;
    onClosed?: (part: Closable) => void;
    onPhase?: (phase: ClosePhase, names: string[]) => void;
    onFailure?: (part: Closable, error: unknown) => void;
  } = {},
): Promise<void> {
  for (const phase of CLOSE_PHASES) {
    const inPhase = parts.filter((part) => part.phase === phase);
    if (inPhase.length === 0) continue;
    await Promise.all(
      inPhase.map(async (part) => {
        hooks.onClosing?.(part);
        try {
          await part.close();
        } catch (error) {
          hooks.onFailure?.(part, error);
        }
        hooks.onClosed?.(part);
      }),
    );
    hooks.onPhase?.(
      phase,
      inPhase.map((part) => part.name),
    );
  }
}

/**
 * Graceful shutdown: turn not-ready, stop taking HTTP requests, then close the rest phase by
 * phase — workers (BullMQ's close() lets their active jobs finish), queues and schedulers,
 * provider clients, Redis. If that takes longer than the deadline, log what was still active
 * and give up.
 */
export async function shutDown(
  parts: ShutdownParts,
  signal: string,
): Promise<'stopped' | 'deadline'> {
  const { logger } = parts;
  parts.health.markShuttingDown();
  logger.info({ signal, deadlineMs: parts.deadlineMs }, 'shutting down');
  // Parts whose close has begun and not ended: what the deadline report names.
  const closing = new Set<Closable>();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), parts.deadlineMs);
    timer.unref();
  });
  const orderly = (async () => {
    await parts.server.close().catch((error: unknown) => {
      logger.warn({ err: error }, 'could not close the HTTP server');
    });
    logger.info('closed the HTTP server');
    await closeInPhases(parts.running, {
      onClosing: (part) => closing.add(part),
      onClosed: (part) => closing.delete(part),
      onFailure: (part, error) => logger.warn({ part: part.name, err: error }, 'could not close'),
      onPhase: (phase, names) => logger.info({ phase, parts: names }, `closed the ${phase}`),
    });
    return 'stopped' as const;
  })();
  const outcome = await Promise.race([orderly, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    const still = [...closing].map((part) => ({ part: part.name, active: part.active?.() ?? [] }));
    logger.error({ still }, 'shutdown deadline passed with work still active; exiting');
    parts.onDeadline();
    return 'deadline';
  }
  logger.info('stopped');
  return 'stopped';
}
