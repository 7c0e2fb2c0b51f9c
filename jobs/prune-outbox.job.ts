import { defineJob } from '../src/queues/job-shell.js';
import { OUTBOX_QUEUE_NAMES, PruneOutboxPayloadSchema } from '../src/queues/outbox-queues.js';
import { type PruneDeps, pruneOutboxes } from '../src/services/outbox/prune.js';

/**
 * Forgets delivered outbox effects older than OUTBOX_RETENTION_SECONDS (hourly job scheduler),
 * so the outbox does not grow without bound on a Redis that must never evict. Dead letters stay
 * until an operator replays them.
 */
export const queue = OUTBOX_QUEUE_NAMES.prune;
export const PayloadSchema = PruneOutboxPayloadSchema;

export const pruneOutboxJob = defineJob({
  queue,
  PayloadSchema,
  process: (_payload, deps: PruneDeps) => pruneOutboxes(deps),
});
