import { OutboxStore, type PlainSettleInput, type SettleResult } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';

/**
 * Gathers the plain settlements (the effect's own record and audit event, nothing else) that
 * delivery jobs ask for within one turn of the event loop and writes them per tenant in one Lua
 * call, instead of one call each. Answers that arrive together are settled together, so a busy
 * worker pays one command per batch and an idle one waits no longer than the current turn.
 * Nothing is settled before its provider answered: an effect joins a batch only after its answer,
 * and a crash before the batch is written leaves it pending, to be sent again by its job with the
 * same Idempotency-Key.
 */

/** Most effects in one call, so one script never holds Redis for long. */
const MAX_BATCH = 64;

interface Waiting {
  input: PlainSettleInput;
  resolve(result: SettleResult): void;
  reject(error: unknown): void;
}

export class PlainSettleBatcher {
  private readonly waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly nowMs: () => number,
  ) {}

  settle(tenant: string, input: PlainSettleInput): Promise<SettleResult> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(tenant);
      if (list === undefined) this.waiting.set(tenant, [{ input, resolve, reject }]);
      else list.push({ input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn, so answers that arrived together share a call.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batches = [...this.waiting];
    this.waiting.clear();
    for (const [tenant, list] of batches) {
      for (let i = 0; i < list.length; i += MAX_BATCH) {
        void this.write(tenant, list.slice(i, i + MAX_BATCH));
      }
    }
  }

  private async write(tenant: string, batch: Waiting[]): Promise<void> {
    try {
      const outbox = new OutboxStore(this.redis, this.prefix, tenant);
      const results = await outbox.settlePlain(
        batch.map((w) => w.input),
        this.nowMs(),
      );
      batch.forEach((w, i) => {
        w.resolve(results[i] as SettleResult);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
