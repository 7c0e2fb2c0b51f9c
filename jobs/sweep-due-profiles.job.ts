import { CATALOG_QUEUE_NAMES, SweepDuePayloadSchema } from '../src/queues/catalog-queues.js';
import { defineJob } from '../src/queues/job-shell.js';
import type { CatalogJobDeps } from './catalog-job-deps.js';

export const queue = CATALOG_QUEUE_NAMES.sweepDue;
export const PayloadSchema = SweepDuePayloadSchema;

/**
 * Time-driven staleness. Run by a job scheduler every STALENESS_SWEEP_EVERY_MS: for each tenant,
 * moves products whose profiles reach validUntil into the dirty set and asks for an evaluation,
 * so a profile flips (e.g. to requires_revalidation when inventory goes stale) with no new
 * input. It also re-asks for tenants with dirty ids whose enqueue was lost (a crash between the
 * facts write and the enqueue), and for the projection of decision changes left unprojected (a
 * crash between an evaluation's commit and its request), and warns the subscriptions asking for
 * profile.expiring of profiles whose validUntil comes within PROFILE_EXPIRING_LEAD_MS.
 */
export const sweepDueProfilesJob = defineJob({
  queue,
  PayloadSchema,
  async process(_payload, runtime: CatalogJobDeps): Promise<Record<string, number>> {
    const nowMs = runtime.ctx.clock.nowMs();
    const moved: Record<string, number> = {};
    for (const tenant of runtime.tenants) {
      const work = runtime.storesOf(tenant).work;
      moved[tenant] = await work.moveDue(nowMs);
      if ((await work.dirtyCount()) > 0) await runtime.evaluation.requestEvaluation(tenant, 0);
      if (await runtime.decisionEvents?.backlogged(tenant))
        await runtime.decisionEvents?.request(tenant);
      await runtime.decisionEvents?.warnExpiring(tenant, nowMs);
    }
    return moved;
  },
});
