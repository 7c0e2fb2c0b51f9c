import { z } from 'zod';
import { defineJob } from '../src/queues/job-shell.js';
import { type DrainDeps, drainOutbox } from '../src/services/outbox/drain.js';

/**
 * Moves due outbox effects into the delivery queues. Run by a job scheduler every
 * OUTBOX_DRAIN_INTERVAL_MS and nudged after a transition writes effects.
 */
export const queue = 'outbox-drain';

export const PayloadSchema = z.object({
  /** Drain only this tenant; all tenants when absent. */
  tenant: z.string().min(1).optional(),
});

export const drainOutboxJob = defineJob({
  queue,
  PayloadSchema,
  process: (payload, deps: DrainDeps) => drainOutbox(deps, payload.tenant),
});
