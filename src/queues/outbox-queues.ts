import { Queue } from 'bullmq';
import { z } from 'zod';
import { MAX_DELIVERY_BATCH } from '../config.js';
import { PROVIDERS, type Provider } from '../domain/index.js';
import { OutboxEffectSchema } from '../store/outbox-store.js';
import type { RedisClient } from '../store/redis.js';
import { type QueuePrefixSettings, queuePrefix } from './queue-groups.js';

/**
 * The queues of the checkout's outbox: their names, payloads and producers. Each delivery queue
 * is a group of its own, on its own Redis Cluster hash tag; the rest are scheduling's
 * (queue-groups.ts). Each jobs/<name>.job.ts processes one of them.
 */
export const OUTBOX_QUEUE_NAMES = {
  /** Moves due effects into the delivery queues (scheduled, and nudged after a transition). */
  drain: 'outbox-drain',
  /** Forgets delivered effects past OUTBOX_RETENTION_SECONDS (hourly). */
  prune: 'outbox-prune',
  /** Compares local payment state with the payment provider's. */
  reconcile: 'reconcile-payments',
  /** Stem of the per-provider delivery queues (see deliveryQueueName). */
  deliver: 'deliver-effect',
} as const;

/** One queue per provider (`deliver-effect-payment`, …): a slow provider holds back only its own. */
export function deliveryQueueName(provider: Provider): string {
  return `${OUTBOX_QUEUE_NAMES.deliver}-${provider}`;
}

export const DrainOutboxPayloadSchema = z.object({
  /** Drain only this tenant; all tenants when absent. */
  tenant: z.string().min(1).optional(),
});

export const PruneOutboxPayloadSchema = z.object({});

export const ReconcilePaymentsPayloadSchema = z.object({ tenant: z.string().min(1).optional() });

export const DeliverEffectPayloadSchema = z.object({
  tenant: z.string().min(1),
  effectId: z.string().min(1),
  /**
   * The effect's definition as the drain read it. Definitions never change, so carrying it saves
   * the worker a read; its status is checked before sending on any start but the job's first
   * (see DeliveryAttempt.firstStart).
   */
  effect: OutboxEffectSchema.optional(),
  /**
   * Attempts the effect already spent before this job: a job a batch handed the effect to after
   * its first attempt failed carries 1, so the backoff goes on from there.
   */
  priorAttempts: z.number().int().nonnegative().optional(),
  /**
   * The batch already dead-lettered the effect on its first attempt, for this reason: the job
   * sends nothing and fails at once, so every dead letter has its failed job in its provider's
   * queue on the dashboard, as when a job of its own dead-lettered it.
   */
  deadLettered: z.string().optional(),
});

/**
 * A batch of due effects of one tenant and one provider, as the drain claimed them: their first
 * attempt is made by one job, concurrently, instead of by one job each (see
 * src/services/outbox/batch-delivery.ts). An effect whose first attempt is not final is handed to
 * a job of its own, the shape above.
 */
export const DeliverBatchPayloadSchema = z.object({
  tenant: z.string().min(1),
  effects: z.array(OutboxEffectSchema).min(1).max(MAX_DELIVERY_BATCH),
});

/** What a provider's delivery queue holds: one effect's job, or a batch's. */
export const DeliveryPayloadSchema = z.union([
  DeliverEffectPayloadSchema,
  DeliverBatchPayloadSchema,
]);
export type DeliveryPayload = z.infer<typeof DeliveryPayloadSchema>;

export function deliveryQueues(
  connection: RedisClient,
  prefixes: QueuePrefixSettings,
): Record<Provider, Queue> {
  return Object.fromEntries(
    PROVIDERS.map((provider) => {
      const name = deliveryQueueName(provider);
      return [provider, new Queue(name, { connection, prefix: queuePrefix(prefixes, name) })];
    }),
  ) as Record<Provider, Queue>;
}

export interface CheckoutQueues {
  drain: Queue;
  reconcile: Queue;
  prune: Queue;
  delivery: Record<Provider, Queue>;
  close(): Promise<void>;
}

/** Every queue the checkout feature uses, for the dashboard and queue metrics. */
export const CHECKOUT_QUEUE_NAMES: readonly string[] = [
  OUTBOX_QUEUE_NAMES.drain,
  OUTBOX_QUEUE_NAMES.prune,
  OUTBOX_QUEUE_NAMES.reconcile,
  ...PROVIDERS.map((provider) => deliveryQueueName(provider)),
];

export function checkoutQueues(
  connection: RedisClient,
  prefixes: QueuePrefixSettings,
): CheckoutQueues {
  const open = (name: string) =>
    new Queue(name, { connection, prefix: queuePrefix(prefixes, name) });
  const drain = open(OUTBOX_QUEUE_NAMES.drain);
  const reconcile = open(OUTBOX_QUEUE_NAMES.reconcile);
  const prune = open(OUTBOX_QUEUE_NAMES.prune);
  const delivery = deliveryQueues(connection, prefixes);
  return {
    drain,
    reconcile,
    prune,
    delivery,
    async close() {
      await Promise.all(
        [drain, reconcile, prune, ...Object.values(delivery)].map((q) => q.close()),
      );
    },
  };
}

/**
 * Whether each of these effects has a live job of its own in the queue (the job id is the effect
 * id; waiting, delayed or active, not finished), in order: one round trip for a batch. A finished
 * job owns nothing: a failed one left behind by a replay that raced with it must not keep the
 * replayed effect from being delivered.
 */
export async function jobsExist(
  redis: RedisClient,
  queue: Queue,
  effectIds: readonly string[],
): Promise<boolean[]> {
  // One queue's keys share its hash tag: one slot, so one command even on a cluster. Mostly
  // none exists, and one EXISTS over all of them says so; only then is each asked.
  const keys = effectIds.map((id) => queue.toKey(id));
  if (keys.length === 0 || (await redis.exists(...keys)) === 0) return keys.map(() => false);
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.exists(key).hexists(key, 'finishedOn');
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0] as Error;
  return keys.map((_, i) => replies[2 * i]?.[1] === 1 && replies[2 * i + 1]?.[1] === 0);
}

/**
 * Wakes the drain for a tenant; deduplicated while one is waiting, so a burst wakes it once. A
 * delayed wake (decision events due after their coalescing window) has its own deduplication,
 * so it never holds back a checkout's immediate one.
 */
export async function nudgeOutboxDrain(drain: Queue, tenant: string, delayMs = 0): Promise<void> {
  await drain.add(
    'nudge',
    { tenant },
    {
      deduplication: { id: delayMs > 0 ? `nudge-later-${tenant}` : `nudge-${tenant}` },
      delay: delayMs,
      removeOnComplete: true,
      removeOnFail: 100,
    },
  );
}
