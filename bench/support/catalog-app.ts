import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { createAppContext } from '../../src/app-context.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

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
