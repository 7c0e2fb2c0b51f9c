import type { JobsOptions, Queue } from 'bullmq';
import type { Provider } from '../../domain/index.js';
import { OutboxStore, outboxTenantsKey } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';

/**
 * Moves due outbox effects into their provider's delivery queue, as batch jobs of up to
 * `deliveryBatch` effects (one tenant, one provider), whose first attempts one job makes
 * (src/services/outbox/batch-delivery.ts). Relaying the same effect twice (a drain that crashed
 * after enqueuing but before the lease ran out, two drains at once, a lease that ran out while
 * its batch waited) can put it in two batches: the second reads its status first and skips it
 * once it is settled or owned by a job of its own, and a send that does overlap carries the same
 * Idempotency-Key, so the provider applies it once.
 */
export interface DrainDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  queues: Record<Provider, Queue>;
  leaseMs: number;
  /** Effects claimed per round trip (OUTBOX_DRAIN_BATCH). */
  batch: number;
  /** Effects per delivery job (DELIVERY_BATCH). */
  deliveryBatch: number;
  jobOptions: JobsOptions;
}

export interface DrainReport {
  tenants: number;
  moved: number;
}

/** Most batches per tenant per run, so one busy tenant cannot starve the others. */
const MAX_BATCHES_PER_TENANT = 20;

export async function drainOutbox(deps: DrainDeps, onlyTenant?: string): Promise<DrainReport> {
  const tenants =
    onlyTenant === undefined
      ? await deps.redis.smembers(outboxTenantsKey(deps.prefix))
      : [onlyTenant];
  let moved = 0;
  for (const tenant of tenants) {
    const outbox = new OutboxStore(deps.redis, deps.prefix, tenant);
    for (let batch = 0; batch < MAX_BATCHES_PER_TENANT; batch++) {
      const effects = await outbox.claimDue(deps.nowMs(), deps.leaseMs, deps.batch);
      if (effects.length === 0) break;
      const byProvider = new Map<Provider, typeof effects>();
      for (const effect of effects) {
        const list = byProvider.get(effect.provider) ?? [];
        list.push(effect);
        byProvider.set(effect.provider, list);
      }
      await Promise.all(
        [...byProvider].map(([provider, list]) =>
          deps.queues[provider].addBulk(
            chunks(list, deps.deliveryBatch).map((chunk) => ({
              name: 'batch',
              data: { tenant, effects: chunk },
              opts: deps.jobOptions,
            })),
          ),
        ),
      );
      moved += effects.length;
      if (effects.length < deps.batch) break;
    }
  }
  return { tenants: tenants.length, moved };
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
