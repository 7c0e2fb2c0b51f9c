import { defineJob } from '../src/queues/job-shell.js';
import { DrainOutboxPayloadSchema, OUTBOX_QUEUE_NAMES } from '../src/queues/outbox-queues.js';
import { type DrainDeps, drainOutbox } from '../src/services/outbox/drain.js';

/**
 * Moves due outbox effects into the delivery queues. Run by a job scheduler every
 * OUTBOX_DRAIN_INTERVAL_MS and nudged after a transition writes effects.
 */
export const queue = OUTBOX_QUEUE_NAMES.drain;
export const PayloadSchema = DrainOutboxPayloadSchema;

export const drainOutboxJob = defineJob({
  queue,
  PayloadSchema,
  process: (payload, deps: DrainDeps) => drainOutbox(deps, payload.tenant),
});
