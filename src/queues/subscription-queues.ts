import { Queue } from 'bullmq';
import { z } from 'zod';
import type { RedisClient } from '../store/redis.js';
import { type QueuePrefixSettings, queuePrefix } from './queue-groups.js';

/** Projects a tenant's decision changes into decision events (jobs/project-decision-events.job.ts). */
export const PROJECT_DECISION_EVENTS_QUEUE = 'project-decision-events';

export const ProjectDecisionEventsPayloadSchema = z.object({ tenant: z.string().min(1) });

export function openProjectionQueue(connection: RedisClient, prefixes: QueuePrefixSettings) {
  return new Queue(PROJECT_DECISION_EVENTS_QUEUE, {
    connection,
    prefix: queuePrefix(prefixes, PROJECT_DECISION_EVENTS_QUEUE),
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 200 },
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 86_400, count: 5_000 },
    },
  });
}

/**
 * Asks for a projection of the tenant's change stream: one waits at a time per tenant, and one
 * more is kept while one runs (keepLastIfActive), so a burst of evaluations costs one or two.
 */
export async function requestProjection(queue: Queue, tenant: string): Promise<void> {
  const payload = ProjectDecisionEventsPayloadSchema.parse({ tenant });
  await queue.add('project', payload, {
    deduplication: { id: `project:${tenant}`, keepLastIfActive: true },
  });
}
