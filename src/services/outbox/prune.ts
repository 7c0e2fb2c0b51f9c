import { OutboxStore, outboxTenantsKey } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';

export interface PruneDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  /** Delivered effects settled longer ago than this are forgotten. */
  retentionMs: number;
  /** Entries considered per Lua call, so one call never blocks Redis for long. */
  chunk: number;
}

/** Forgets old delivered effects of every tenant that has an outbox; dead letters stay. */
export async function pruneOutboxes(
  deps: PruneDeps,
): Promise<{ tenants: number; forgotten: number }> {
  const tenants = await deps.redis.smembers(outboxTenantsKey(deps.prefix));
  const cutoffMs = deps.nowMs() - deps.retentionMs;
  let forgotten = 0;
  for (const tenant of tenants) {
    const outbox = new OutboxStore(deps.redis, deps.prefix, tenant);
    for (;;) {
      const pass = await outbox.prune(cutoffMs, deps.chunk);
      forgotten += pass.forgotten;
      if (pass.considered < deps.chunk) break;
    }
  }
  return { tenants: tenants.length, forgotten };
}
