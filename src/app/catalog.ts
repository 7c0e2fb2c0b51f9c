import { UnrecoverableError } from 'bullmq';
import { evaluateProfilesJob } from '../../jobs/evaluate-profiles.job.js';
import { pullCatalogJob } from '../../jobs/pull-catalog.job.js';
import { sweepDueProfilesJob } from '../../jobs/sweep-due-profiles.job.js';
import type { AppContext } from '../app-context.js';
import { seedDemo } from '../demo/seed-demo.js';
import { catalogRoutes } from '../http/routes/catalog-routes.js';
import { CATALOG_QUEUE_NAMES } from '../queues/catalog-queues.js';
import { startJobWorker, workerClosable } from '../queues/job-shell.js';
import { evaluationQueueName } from '../queues/queue-groups.js';
import { catalogRuntime } from './catalog-runtime.js';
import type { Feature } from './feature.js';

/** The tenant the catalog pull and the demo seed write into. */
export function primaryTenant(ctx: AppContext): string {
  return ctx.config.CATALOG_TENANT ?? (ctx.config.AUTH_TOKENS[0]?.tenant as string);
}

/**
 * Facts in (HTTP, catalog pull), profiles kept current by BullMQ (evaluate on change, re-evaluate
 * when due), profiles and audit out.
 */
export const catalogFeature: Feature = {
  name: 'catalog',
  queues: (config) => [
    ...Array.from({ length: config.EVALUATION_QUEUE_SHARDS }, (_, shard) =>
      evaluationQueueName(shard),
    ),
    CATALOG_QUEUE_NAMES.sweepDue,
    CATALOG_QUEUE_NAMES.pullCatalog,
  ],

  async onStart(ctx) {
    const runtime = catalogRuntime(ctx);
    const seeds = ctx.config.ROLE === 'all' || ctx.config.ROLE === 'ingress';
    if (seeds && ctx.config.SEED_DEMO && ctx.config.NODE_ENV !== 'test') {
      const tenant = primaryTenant(ctx);
      if (await seedDemo(runtime, tenant, ctx.clock.nowMs()))
        ctx.logger.info({ tenant }, 'seeded the demo catalog');
    }
    // Its queues and the feed sink's HTTP client; closed once the workers that use them have.
    return [{ name: 'catalog runtime', phase: 'queues', close: () => runtime.close() }];
  },

  async tenantRoutes(app, ctx) {
    const runtime = catalogRuntime(ctx);
    await catalogRoutes(app, {
      config: ctx.config,
      catalog: runtime.catalog,
      profiles: runtime.profiles,
    });
  },

  async startWorkers(ctx) {
    const runtime = catalogRuntime(ctx);
    const options = { prefixes: ctx.config, logger: ctx.logger, metrics: ctx.metrics };
    // One worker per evaluation shard (EVALUATION_QUEUE_SHARDS), each on its own queue.
    const evaluators = runtime.queues.evaluateShards.map((queue) => {
      const evaluate = startJobWorker(
        { ...evaluateProfilesJob, queue: queue.name },
        runtime,
        ctx.workerConnection(),
        { ...options, concurrency: 2 },
      );
      // A job that gives up hands its claimed ids back, so no product is left unevaluated.
      evaluate.on('failed', (job, error) => {
        if (job === undefined) return;
        const final =
          error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
        if (!final) return;
        const { tenant } = job.data as { tenant: string };
        void runtime
          .storesOf(tenant)
          .work.release(String(job.id))
          .catch((err: unknown) => ctx.logger.error({ err, tenant }, 'could not release a claim'));
      });
      return evaluate;
    });
    const sweep = startJobWorker(sweepDueProfilesJob, runtime, ctx.workerConnection(), options);
    const pull = startJobWorker(pullCatalogJob, runtime, ctx.workerConnection(), options);
    return [...evaluators, sweep, pull].map((worker) => workerClosable(ctx.health, worker));
  },

  async startSchedulers(ctx) {
    const runtime = catalogRuntime(ctx);
    const { config } = ctx;
    await runtime.queues.sweepDue.upsertJobScheduler(
      'sweep-due-profiles',
      { every: config.STALENESS_SWEEP_EVERY_MS },
      { name: 'sweep', data: {} },
    );
    ctx.health.register(
      'scheduler:sweep-due-profiles',
      async () => (await runtime.queues.sweepDue.getJobScheduler('sweep-due-profiles')) != null,
    );
    if (config.CATALOG_URL !== undefined) {
      await runtime.queues.pullCatalog.upsertJobScheduler(
        `pull-catalog:${primaryTenant(ctx)}`,
        { every: config.CATALOG_PULL_EVERY_MS },
        { name: 'pull', data: { tenant: primaryTenant(ctx) } },
      );
    } else {
      await runtime.queues.pullCatalog.removeJobScheduler(`pull-catalog:${primaryTenant(ctx)}`);
    }
    return [];
  },
};
