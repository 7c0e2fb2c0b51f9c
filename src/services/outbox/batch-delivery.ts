import { type OutboxEffect, OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import type { DeliveryResult, EffectDelivery } from './effect-delivery.js';

/**
 * Makes the first attempt of a batch of due effects (one tenant, one provider) concurrently, as
 * one job, instead of one job each: one BullMQ job's cost (its add, fetch, lock and finish) is
 * shared by the batch, and their settlements share Lua calls (PlainSettleBatcher).
 *
 * An attempt that ends the effect (delivered, dead-lettered, or exhausted on a one-attempt
 * budget) is settled here as the single job would. One that does not (a transient failure, a
 * 429, Retry-After, an open breaker) is returned, and the job hands the effect to a job of its
 * own, which goes on exactly as if it had made the first attempt itself (jobs/deliver-effect.job.ts).
 *
 * Guarantees, as for single jobs: nothing is settled before its provider answered; every send
 * carries the effect id as Idempotency-Key, so a batch run twice (a worker killed mid-batch, a
 * drain that re-claimed effects whose lease ran out) applies nothing twice at the provider. A
 * re-run reads the statuses first and sends only what is still pending and not owned by a job of
 * its own.
 */
export interface BatchDeliveryDeps {
  redis: RedisClient;
  prefix: string;
  delivery: EffectDelivery;
  /** OUTBOX_MAX_ATTEMPTS: with one, the batch's attempt is the last. */
  maxAttempts: number;
  /** Whether each effect already has a job of its own (handed off earlier), in order. */
  ownJobs(effectIds: readonly string[]): Promise<boolean[]>;
}

export interface BatchOutcome {
  effect: OutboxEffect;
  result: DeliveryResult;
}

export async function deliverBatch(
  deps: BatchDeliveryDeps,
  tenant: string,
  effects: readonly OutboxEffect[],
): Promise<{ outcomes: BatchOutcome[]; errors: unknown[] }> {
  const ids = effects.map((effect) => effect.id);
  const [statuses, owned] = await Promise.all([
    new OutboxStore(deps.redis, deps.prefix, tenant).statuses(ids),
    deps.ownJobs(ids),
  ]);
  const settled = await Promise.allSettled(
    effects.map(async (effect, i): Promise<BatchOutcome> => {
      const status = statuses[i];
      if (status !== 'pending') {
        return { effect, result: { kind: 'skipped', status: status ?? 'missing' } };
      }
      if (owned[i]) return { effect, result: { kind: 'skipped', status: 'own_job' } };
      const result = await deps.delivery.deliver(tenant, effect.id, {
        isLast: deps.maxAttempts <= 1,
        effect,
        firstStart: true,
      });
      return { effect, result };
    }),
  );
  // Every attempt runs to its end before the job answers, so a retried batch never overlaps
  // with sends of its own earlier run.
  const outcomes: BatchOutcome[] = [];
  const errors: unknown[] = [];
  for (const entry of settled) {
    if (entry.status === 'fulfilled') outcomes.push(entry.value);
    else errors.push(entry.reason);
  }
  return { outcomes, errors };
}
