/**
 * The order a process closes in at shutdown (src/runtime/shutdown.ts), after its HTTP server:
 * first the workers, so active jobs finish with everything they use still open; then the queues
 * and schedulers those jobs enqueue into; then the provider clients (and sandbox providers) they
 * call; last the Redis connections under all of it. Parts of one phase close together; a phase
 * starts when the one before it has closed.
 */
export const CLOSE_PHASES = ['workers', 'queues', 'providers', 'connections'] as const;
export type ClosePhase = (typeof CLOSE_PHASES)[number];

export interface Closable {
  name: string;
  /** When it closes at shutdown (see CLOSE_PHASES). */
  phase: ClosePhase;
  close(): Promise<void>;
  /** What it is still busy with (job ids), logged when the shutdown deadline passes. */
  active?(): string[];
}
