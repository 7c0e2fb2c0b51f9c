import { CATALOG_QUEUE_NAMES, PublishFeedPayloadSchema } from '../src/queues/catalog-queues.js';
import { defineJob } from '../src/queues/job-shell.js';
import type { CatalogJobDeps } from './catalog-job-deps.js';

export const queue = CATALOG_QUEUE_NAMES.publishFeed;
export const PayloadSchema = PublishFeedPayloadSchema;

export interface PublishFeedResult {
  feed: string;
  version?: string;
  count?: number;
  bytes?: number;
  reevaluated: number;
  busy?: true;
}

/** Publishes one feed of one tenant (scheduled, after profile changes, or on request). */
export const publishFeedJob = defineJob({
  queue,
  PayloadSchema,
  async process(payload, runtime: CatalogJobDeps): Promise<PublishFeedResult> {
    const outcome = await runtime.feeds.publish(payload.tenant, payload.feed);
    const result: PublishFeedResult = { feed: payload.feed, reevaluated: outcome.reevaluated };
    if (outcome.busy) result.busy = true;
    if (outcome.manifest !== undefined) {
      result.version = outcome.manifest.version;
      result.count = outcome.manifest.count;
      result.bytes = outcome.manifest.bytes;
    }
    return result;
  },
});
