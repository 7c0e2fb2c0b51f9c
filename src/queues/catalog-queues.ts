import { Queue } from 'bullmq';
import { z } from 'zod';
import type { RedisClient } from '../store/redis.js';
import { evaluationQueueName, type QueuePrefixSettings, queuePrefix } from './queue-groups.js';

const tenant = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i);

/** Queue names of the catalog and feeds jobs; each jobs/<name>.job.ts processes one. */
export const CATALOG_QUEUE_NAMES = {
  evaluate: 'evaluate-profiles',
  sweepDue: 'sweep-due-profiles',
  publishFeed: 'publish-feed',
  pullCatalog: 'pull-catalog',
} as const;

/** Evaluate up to one batch of the tenant's dirty products. */
export const EvaluateProfilesPayloadSchema = z.object({ tenant });

/** Move every tenant's due profiles back to evaluation (scheduled; carries nothing). */
export const SweepDuePayloadSchema = z.object({}).strict();

export const FEED_NAMES = ['agent', 'acp', 'openai-flat'] as const;
export const FeedNameSchema = z.enum(FEED_NAMES);
export type FeedName = z.infer<typeof FeedNameSchema>;

/** Publish one feed of one tenant. */
export const PublishFeedPayloadSchema = z.object({
  tenant,
  feed: FeedNameSchema,
  /** why: `schedule`, `changed` (profiles changed) or `request` (POST …/publish) */
  reason: z.enum(['schedule', 'changed', 'request']).default('schedule'),
});

/** Page through CATALOG_URL and ingest what it returns into the tenant. */
export const PullCatalogPayloadSchema = z.object({ tenant });

/** Retries with exponential backoff; finished jobs kept for a while for the operator's view. */
export const CATALOG_JOB_DEFAULTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3_600, count: 1_000 },
  removeOnFail: { age: 86_400, count: 5_000 },
} as const;

export interface CatalogQueues {
  /** The first evaluation shard's queue (the only one with EVALUATION_QUEUE_SHARDS=1). */
  evaluate: Queue;
  /** Every evaluation shard's queue, by shard (evaluationShardOf). */
  evaluateShards: readonly Queue[];
  sweepDue: Queue;
  publishFeed: Queue;
  pullCatalog: Queue;
  close(): Promise<void>;
}

/** The producer side of the catalog queues, sharing one (non-blocking) connection. */
export function openCatalogQueues(
  connection: RedisClient,
  prefixes: QueuePrefixSettings,
  evaluationShards = 1,
): CatalogQueues {
  const open = (name: string) =>
    new Queue(name, {
      connection,
      prefix: queuePrefix(prefixes, name),
      defaultJobOptions: { ...CATALOG_JOB_DEFAULTS },
    });
  const evaluateShards = Array.from({ length: evaluationShards }, (_, shard) =>
    open(evaluationQueueName(shard)),
  );
  const queues = {
    evaluate: evaluateShards[0] as Queue,
    sweepDue: open(CATALOG_QUEUE_NAMES.sweepDue),
    publishFeed: open(CATALOG_QUEUE_NAMES.publishFeed),
    pullCatalog: open(CATALOG_QUEUE_NAMES.pullCatalog),
  };
  return {
    ...queues,
    evaluateShards,
    async close() {
      await Promise.allSettled(
        [...evaluateShards, queues.sweepDue, queues.publishFeed, queues.pullCatalog].map((queue) =>
          queue.close(),
        ),
      );
    },
  };
}
