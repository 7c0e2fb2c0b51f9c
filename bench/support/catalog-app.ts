import { QueueEvents } from 'bullmq';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { createAppContext } from '../../src/app-context.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';

/** The one tenant the catalog benches write to. */
export const BENCH_TENANT = 'bench';

export interface BenchCatalogOptions {
  redisUrl: string;
  /** key prefix, and inside braces the BullMQ prefix, no other run uses */
  unique: string;
  feedDir: string;
  clock: Clock;
  /** further settings over the bench defaults */
  env?: Record<string, string>;
}

/**
 * The real app context and catalog runtime for a catalog bench: silent logs, one tenant, its
 * own Redis prefixes and feed directory.
 */
export function benchCatalogApp({
  redisUrl,
  unique,
  feedDir,
  clock,
  env = {},
}: BenchCatalogOptions) {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    KEY_PREFIX: unique,
    QUEUE_PREFIX: `{${unique}}`,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_TOKENS: `${BENCH_TENANT}:bench-token-0123456789`,
    FEED_DIR: feedDir,
    // BENCH_EVALUATION_THREADS=0 measures the evaluation without its thread.
    ...(process.env.BENCH_EVALUATION_THREADS === undefined
      ? {}
      : { EVALUATION_THREADS: process.env.BENCH_EVALUATION_THREADS }),
    ...env,
  });
  const ctx = createAppContext(config, createLogger({ level: 'silent' }), clock);
  const runtime = catalogRuntime(ctx);
  return { config, ctx, runtime, stores: runtime.storesOf(BENCH_TENANT) };
}

export type BenchCatalogApp = ReturnType<typeof benchCatalogApp>;

/**
 * Drives evaluations through the real BullMQ jobs (the catalog workers must be running):
 * `evaluate(tenant, count)` asks for an evaluation of the tenant's dirty set and resolves when
 * the jobs have reported `count` products, i.e. once the last of them is written. Listens on
 * every evaluation shard's queue events, opened once (not per evaluation).
 */
export async function evaluationDriver({ config, ctx, runtime }: BenchCatalogApp) {
  const events = runtime.queues.evaluateShards.map(
    (queue) =>
      new QueueEvents(queue.name, {
        connection: ctx.workerConnection(),
        prefix: queuePrefix(config, queue.name),
      }),
  );
  await Promise.all(events.map((e) => e.waitUntilReady()));
  let round = { products: 0, evaluations: 0, target: Number.POSITIVE_INFINITY, done: () => {} };
  for (const e of events)
    e.on('completed', ({ returnvalue }) => {
      const r = returnvalue as unknown as { products: number; evaluations: number };
      round.products += r.products;
      round.evaluations += r.evaluations;
      if (round.products >= round.target) round.done();
    });
  return {
    /** Resolves with the product × context pairs the domain evaluated. */
    async evaluate(tenant: string, count: number): Promise<{ evaluations: number }> {
      const finished = new Promise<void>((resolve) => {
        round = { products: 0, evaluations: 0, target: count, done: resolve };
      });
      await runtime.evaluation.requestEvaluation(tenant, 0);
      await finished;
      return { evaluations: round.evaluations };
    },
    async close(): Promise<void> {
      await Promise.all(events.map((e) => e.close()));
    },
  };
}
