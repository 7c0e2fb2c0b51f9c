import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The `unit` project: pure tests that touch neither Redis, processes nor the network, so
 * `npx vitest --project unit` is an inner loop of seconds. A test file that needs Redis fails
 * here (test/helpers/redis.ts says so); name pure files here, everything else under test/ lands
 * in `integration` (or `browser`) without being listed.
 */
const UNIT = [
  'test/architecture/*.test.ts',
  'test/domain/**/*.test.ts',
  'test/config/*.test.ts',
  'test/feeds/feed-projections.test.ts',
  'test/operations/redact-job-data.test.ts',
  'test/providers/circuit-breaker.test.ts',
  'test/providers/retry-policy.test.ts',
  'test/services/turn-batcher.test.ts',
  'test/store/lua-scripts.test.ts',
  'test/store/profile-codec.test.ts',
  'test/subscriptions/decision-event-merge.test.ts',
];
/** The operator pages in a real headless browser. */
const BROWSER = ['test/**/*.browser.test.ts'];
/** Every project's own private redis-server (or REDIS_URL); the unit project has none. */
const REDIS = ['test/global-setup.ts'];

const shared = { pool: 'forks', testTimeout: 30_000, hookTimeout: 30_000 } as const;

export default defineConfig({
  test: {
    // Once per run: says why schema tests are skipped, or fails under REQUIRE_SPECS=1.
    globalSetup: ['test/specs-setup.ts'],
    // Files and the tests in them run in a random order; the seed is printed ("Running tests with
    // seed …") and `--sequence.seed=<seed>` replays that order.
    sequence: { shuffle: true },
    // Two cores on CI: more workers only queue behind each other and starve Redis.
    maxWorkers: 2,
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'var/test-results.json' }]],
    projects: [
      // Threads without isolation: pure modules load once per worker, the loop stays in seconds.
      { test: { ...shared, name: 'unit', include: UNIT, pool: 'threads', isolate: false } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT, ...BROWSER],
          globalSetup: REDIS,
        },
      },
      { test: { ...shared, name: 'browser', include: BROWSER, globalSetup: REDIS } },
    ],
  },
});
