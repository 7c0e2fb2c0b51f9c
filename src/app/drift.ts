import { Queue } from 'bullmq';
import { auditDriftJob } from '../../jobs/audit-drift.job.js';
import { productSurfaces } from '../adapters/surfaces.js';
import type { AppContext } from '../app-context.js';
import { AUDIT_DRIFT_QUEUE } from '../queues/drift-queues.js';
import { startJobWorker, workerClosable } from '../queues/job-shell.js';
import { queuePrefix } from '../queues/queue-groups.js';
import type { DriftAuditDeps } from '../services/drift-audit.js';
import { DriftStore } from '../store/drift-store.js';
import { catalogRuntime } from './catalog-runtime.js';
import type { Feature } from './feature.js';
import { feedSellerOf } from './feed-seller.js';

/** What the drift audit runs on: the catalog runtime's stores and services, every surface. */
export function driftAuditDeps(ctx: AppContext): DriftAuditDeps {
  const runtime = catalogRuntime(ctx);
  const { config } = ctx;
  return {
    tenants: runtime.tenants,
    storesOf: runtime.storesOf,
    evaluation: runtime.evaluation,
    profiles: runtime.profiles,
    surfaces: productSurfaces(feedSellerOf(config)),
    driftStore: (tenant) => new DriftStore(ctx.redis, config.KEY_PREFIX, tenant),
    sample: config.DRIFT_AUDIT_SAMPLE,
    nowMs: () => ctx.clock.nowMs(),
    logger: ctx.logger,
    record: (surface, kind) => ctx.metrics.drift.inc({ surface, kind }),
  };
}

/**
 * Drift measured at run time: the audit-drift worker (worker role) and its job scheduler, every
 * DRIFT_AUDIT_EVERY_MS (scheduler role). Self-contained: one queue, one worker, one schedule.
 */
export const driftFeature: Feature = {
  name: 'drift',
  queues: [AUDIT_DRIFT_QUEUE],

  async startWorkers(ctx) {
    const worker = startJobWorker(auditDriftJob, driftAuditDeps(ctx), ctx.workerConnection(), {
      prefixes: ctx.config,
      logger: ctx.logger,
      metrics: ctx.metrics,
      concurrency: 1,
    });
    return [workerClosable(ctx.health, worker)];
  },

  async startSchedulers(ctx) {
    const queue = new Queue(AUDIT_DRIFT_QUEUE, {
      connection: ctx.redis,
      prefix: queuePrefix(ctx.config, AUDIT_DRIFT_QUEUE),
    });
    await queue.upsertJobScheduler(
      AUDIT_DRIFT_QUEUE,
      { every: ctx.config.DRIFT_AUDIT_EVERY_MS },
      { name: 'audit', data: {}, opts: { removeOnComplete: 24, removeOnFail: 100 } },
    );
    return [{ name: 'drift-scheduler', phase: 'queues', close: () => queue.close() }];
  },
};
