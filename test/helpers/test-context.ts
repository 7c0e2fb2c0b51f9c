import { randomUUID } from 'node:crypto';
import { type AppContext, createAppContext } from '../../src/app-context.js';
import { type Clock, systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { testRedisEnv } from './redis.js';

/**
 * An AppContext on the run's Redis with key and queue prefixes no other test file uses, so test
 * files can run in parallel without FLUSHALL. A test that names its own REDIS_URL gets that one
 * node, also when the run's Redis is a cluster.
 */
export function createTestContext(
  env: Record<string, string> = {},
  clock: Clock = systemClock,
): AppContext {
  const id = randomUUID().slice(0, 8);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...(env.REDIS_URL === undefined ? testRedisEnv() : {}),
    KEY_PREFIX: `t-${id}`,
    QUEUE_PREFIX: `{q-${id}}`,
    ...env,
  });
  return createAppContext(config, createLogger({ level: config.LOG_LEVEL }), clock);
}
