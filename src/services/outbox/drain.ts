import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Provider } from '../../domain/index.js';
import { OutboxStore, outboxTenantsKey } from '../../store/outbox-store.js';

/**
 * Moves due outbox effects into their provider's delivery queue. The BullMQ job id is the effect
 * id, so relaying the same effect twice (a drain that crashed after enqueuing but before the
 * lease ran out, two drains at once) enqueues it once. Effect ids start with the checkout's
 * random id, so they are unique across tenants too.
 */
export interface DrainDeps {
  redis: Redis;
  prefix: string;
  nowMs: () => number;
  queues: Record<Provider, Queue>;
  leaseMs: number;
  batch: number;
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
            list.map((effect) => ({
              name: effect.kind,
              data: { tenant, effectId: effect.id, effect },
              opts: { ...deps.jobOptions, jobId: effect.id },
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
