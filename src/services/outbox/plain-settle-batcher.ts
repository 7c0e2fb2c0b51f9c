import { OutboxStore, type PlainSettleInput, type SettleResult } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import { TurnBatcher } from './turn-batcher.js';

/**
 * Gathers the plain settlements (the effect's own record and audit event, nothing else) that
 * delivery jobs ask for within one turn of the event loop and writes them per tenant in one Lua
 * call, instead of one call each (TurnBatcher). Nothing is settled before its provider answered:
 * an effect joins a batch only after its answer, and a crash before the batch is written leaves
 * it pending, to be sent again by its job with the same Idempotency-Key.
 */
export class PlainSettleBatcher {
  private readonly batcher: TurnBatcher<PlainSettleInput, SettleResult>;

  constructor(redis: RedisClient, prefix: string, nowMs: () => number) {
    this.batcher = new TurnBatcher((tenant, inputs) =>
      new OutboxStore(redis, prefix, tenant).settlePlain(inputs, nowMs()),
    );
  }

  settle(tenant: string, input: PlainSettleInput): Promise<SettleResult> {
    return this.batcher.ask(tenant, input);
  }
}
