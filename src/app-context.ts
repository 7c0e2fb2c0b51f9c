import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { HealthRegistry } from './runtime/health.js';
import { connectRedis, type RedisClient, redisTargetOf } from './store/redis.js';

/** What every feature receives: settings, log, the clock and its Redis connections. */
export interface AppContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Shared connection for store reads and writes in jobs and services. */
  redis: RedisClient;
  /** Fail-fast connection for request paths (enqueue, reads behind HTTP). */
  producer: RedisClient;
  /** A new blocking connection for one BullMQ worker; closed with the worker. */
  workerConnection(): RedisClient;
  /** Prometheus metrics of this process. */
  metrics: Metrics;
  /** Readiness checks of this process (/health/ready). */
  health: HealthRegistry;
  /** Closes the shared connections. */
  close(): Promise<void>;
}

export function createAppContext(config: Config, logger: Logger, clock: Clock): AppContext {
  const redis = connectRedis(redisTargetOf(config), 'store');
  const producer = connectRedis(redisTargetOf(config), 'producer');
  const opened: RedisClient[] = [];
  const health = new HealthRegistry();
  health.register('redis', async () => (await redis.ping()) === 'PONG');
  return {
    metrics: createMetrics(),
    health,
    config,
    logger,
    clock,
    redis,
    producer,
    workerConnection() {
      const connection = connectRedis(redisTargetOf(config), 'worker');
      opened.push(connection);
      return connection;
    },
    async close() {
      await Promise.allSettled([redis, producer, ...opened].map((connection) => connection.quit()));
    },
  };
}
