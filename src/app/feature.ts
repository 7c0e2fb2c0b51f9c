import type { AppContext } from '../app-context.js';
import type { HttpRoutes } from '../http/types.js';
import type { Closable } from '../runtime/closable.js';

/**
 * A slice of the service (catalog, feeds, checkout, an adapter …). main.ts runs the parts that
 * belong to the process's role; a feature never starts itself.
 */
export interface Feature extends HttpRoutes {
  name: string;
  /**
   * Names of the BullMQ queues this feature uses, for the dashboard and queue metrics; a
   * function when they depend on the configuration (evaluation shards).
   */
  queues?: readonly string[] | ((config: AppContext['config']) => readonly string[]);
  /**
   * Start-up work every role runs once Redis is reachable, before workers, schedulers and
   * routes (e.g. seeding a demo catalog); returns what must be closed at shutdown.
   */
  onStart?(ctx: AppContext): Promise<Closable[]>;
  /** BullMQ workers, started by the worker role. */
  startWorkers?(ctx: AppContext): Promise<Closable[]>;
  /** Job schedulers and other timers, started by the scheduler role. */
  startSchedulers?(ctx: AppContext): Promise<Closable[]>;
}
