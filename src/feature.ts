import type { AppContext } from './app-context.js';
import type { App } from './http/types.js';

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

/**
 * A slice of the service (catalog, feeds, checkout, an adapter …). main.ts runs the parts that
 * belong to the process's role; a feature never starts itself.
 */
export interface Feature {
  name: string;
  /** Names of the BullMQ queues this feature uses, for the dashboard and queue metrics. */
  queues?: readonly string[];
  /**
   * Start-up work every role runs once Redis is reachable, before workers, schedulers and
   * routes (e.g. seeding a demo catalog); returns what must be closed at shutdown.
   */
  onStart?(ctx: AppContext): Promise<Closable[]>;
  /** Routes behind tenant bearer auth (`request.tenant` is set), mounted by the ingress role. */
  tenantRoutes?(app: App, ctx: AppContext): Promise<void>;
  /** Routes with their own auth or none (discovery documents, protocol endpoints). */
  publicRoutes?(app: App, ctx: AppContext): Promise<void>;
  /** BullMQ workers, started by the worker role. */
  startWorkers?(ctx: AppContext): Promise<Closable[]>;
  /** Job schedulers and other timers, started by the scheduler role. */
  startSchedulers?(ctx: AppContext): Promise<Closable[]>;
}
