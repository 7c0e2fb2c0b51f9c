import { publishFeedJob } from '../../jobs/publish-feed.job.js';
import { feedRoutes } from '../http/routes/feed-routes.js';
import { CATALOG_QUEUE_NAMES } from '../queues/catalog-queues.js';
import { startJobWorker, workerClosable } from '../queues/job-shell.js';
import { catalogRuntime } from './catalog-runtime.js';
import type { Feature } from './feature.js';

/** Agent, ACP and OpenAI flat feeds: published on a schedule and soon after profiles change. */
export const feedsFeature: Feature = {
  name: 'feeds',
  queues: [CATALOG_QUEUE_NAMES.publishFeed],

  async tenantRoutes(app, ctx) {
    await feedRoutes(app, catalogRuntime(ctx).feeds);
  },

  async startWorkers(ctx) {
    const runtime = catalogRuntime(ctx);
    const worker = startJobWorker(publishFeedJob, runtime, ctx.workerConnection(), {
      prefixes: ctx.config,
      logger: ctx.logger,
      metrics: ctx.metrics,
      // Publishing streams whole catalogs; more than one at a time only competes for the CPU.
      concurrency: 1,
    });
    return [workerClosable(ctx.health, worker)];
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
