import type { Closable } from '../runtime/closable.js';
import { closeInPhases } from '../runtime/shutdown.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What the capabilities opened; decorated on the root by startApp (src/app/start-app.ts). */
    running: RunningParts;
  }
}

/**
 * Everything the capability plugins opened (workers, queues, provider clients, connections), in
 * one registry on the root instance, closed by one root onClose in CLOSE_PHASES order. Why not an
 * onClose per capability: fastify runs onClose hooks in reverse registration order plugin by
 * plugin, so the checkout plugin would close its queues before the catalog plugin (registered
 * earlier) closed the workers that still enqueue into them. The phases cut across capabilities,
 * so only a closer that sees every part can keep them.
 */
export class RunningParts {
  #parts: Closable[] = [];

  add(...parts: readonly Closable[]): void {
    this.#parts.push(...parts);
  }

  /**
   * Hands every part over to the caller, who closes them instead of the root onClose: main.ts's
   * shutdown closes them phase by phase under its deadline, logging each phase and what was
   * still active (src/runtime/shutdown.ts).
   */
  takeAll(): Closable[] {
    const parts = this.#parts;
    this.#parts = [];
    return parts;
  }

  /** Closes what was not handed over, phase by phase (the root onClose calls it). */
  async close(): Promise<void> {
    await closeInPhases(this.takeAll());
  }
}
