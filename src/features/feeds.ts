import { publishFeedJob } from '../../jobs/publish-feed.job.js';
import type { Feature } from '../feature.js';
import { feedRoutes } from '../http/routes/feed-routes.js';
import { startJobWorker } from '../queues/job-shell.js';
import { catalogRuntime } from './catalog-runtime.js';

/** Agent, ACP and OpenAI flat feeds: published on a schedule and soon after profiles change. */
export const feedsFeature: Feature = {
  name: 'feeds',

  async tenantRoutes(app, ctx) {
    await feedRoutes(app, catalogRuntime(ctx));
  },

  async startWorkers(ctx) {
    const runtime = catalogRuntime(ctx);
    const worker = startJobWorker(publishFeedJob, runtime, ctx.workerConnection(), {
      prefix: ctx.config.QUEUE_PREFIX,
      logger: ctx.logger,
      // Publishing streams whole catalogs; more than one at a time only competes for the CPU.
      concurrency: 1,
    });
    return [{ name: 'publish-feed worker', close: () => worker.close() }];
  },

  async startSchedulers(ctx) {
    const runtime = catalogRuntime(ctx);
    for (const tenant of runtime.tenants) {
      for (const feed of runtime.feeds.feedNames) {
        await runtime.queues.publishFeed.upsertJobScheduler(
          `publish:${tenant}:${feed}`,
          { every: ctx.config.FEED_PUBLISH_EVERY_MS },
          { name: 'publish', data: { tenant, feed, reason: 'schedule' } },
        );
      }
    }
    return [];
  },
};
