import { contextKey } from '../src/domain/index.js';
import {
  CATALOG_QUEUE_NAMES,
  EvaluateProfilesPayloadSchema,
} from '../src/queues/catalog-queues.js';
import { defineJob } from '../src/queues/job-shell.js';
import type { CatalogJobDeps } from './catalog-job-deps.js';

export const queue = CATALOG_QUEUE_NAMES.evaluate;
export const PayloadSchema = EvaluateProfilesPayloadSchema;

export interface EvaluateProfilesResult {
  products: number;
  evaluations: number;
  skipped: number;
  removed: number;
  /** dirty ids left for the next job */
  remaining: number;
}

/**
 * Evaluates one batch of the tenant's dirty products. The batch is claimed under this job's id
 * (a retry after a crash takes the same claim again) and the claim is settled in the MULTI that
 * writes the profiles. If more ids are dirty, the job asks for a successor, which BullMQ keeps
 * until this one finishes (keepLastIfActive), so one tenant's batches run one after another.
 * When the feed's context changed, the feeds are asked to publish (debounced); when changes went
 * to the change stream (the tenant has subscriptions), their projection into events is asked for.
 */
export const evaluateProfilesJob = defineJob({
  queue,
  PayloadSchema,
  async process(payload, runtime: CatalogJobDeps, job): Promise<EvaluateProfilesResult> {
    const { tenant } = payload;
    const stores = runtime.storesOf(tenant);
    const ids = await stores.work.claim(String(job.id), runtime.ctx.config.EVALUATION_BATCH_SIZE);
    let outcome = { products: 0, evaluations: 0, skipped: 0, removed: 0 };
    const publishes: Promise<unknown>[] = [];
    if (ids.length > 0) {
      const batch = await runtime.evaluation.evaluateBatch(
        stores,
        ids,
        runtime.ctx.clock.nowMs(),
        String(job.id),
      );
      outcome = batch;
      if (batch.changedContexts.has(contextKey(runtime.ctx.config.FEED_CONTEXT))) {
        for (const feed of runtime.feeds.feedNames)
          publishes.push(runtime.feeds.requestPublish(tenant, feed, 'changed'));
      }
      if (batch.recordedChanges && runtime.decisionEvents !== undefined)
        publishes.push(runtime.decisionEvents.request(tenant));
    }
    // One round trip for the publish requests and the count, not one after another per batch.
    const [remaining] = await Promise.all([stores.work.dirtyCount(), ...publishes]);
    if (remaining > 0) await runtime.evaluation.requestEvaluation(tenant, 0);
    return {
      products: outcome.products,
      evaluations: outcome.evaluations,
      skipped: outcome.skipped,
      removed: outcome.removed,
      remaining,
    };
  },
});
