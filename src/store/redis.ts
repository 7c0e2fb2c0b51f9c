import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { CoalescingRedis } from './coalescing-redis.js';

/**
 * The three kinds of connection the service opens, each with the options its use needs:
 * - `worker`: BullMQ workers block on Redis; they must retry forever (maxRetriesPerRequest null).
 * - `producer`: request paths that enqueue or read; they fail fast when Redis is down so an HTTP
 *   caller gets a 503 at once instead of a hanging request, and the commands of concurrent
 *   requests leave in one write per event-loop turn (CoalescingRedis).
 * - `store`: jobs and services reading and writing facts; patient, but bounded.
 */
export type ConnectionPurpose = 'worker' | 'producer' | 'store';

const PURPOSE_OPTIONS: Record<ConnectionPurpose, RedisOptions> = {
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
  producer: {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
  },
  store: { maxRetriesPerRequest: 3, connectTimeout: 5_000 },
};

/** A node as `host:port` (REDIS_CLUSTER_NODES, redis-cli --cluster) → host and port. */
export function redisNodeOf(hostPort: string): { host: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
}

/** A connection to one node or to a cluster: stores, queues and workers take either. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one node (`url`), or a cluster seeded by `clusterNodes` (REDIS_CLUSTER_NODES). */
export interface RedisTarget {
  url: string;
  /** With these, `url` gives only the credentials and TLS every node is reached with. */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
}

export function redisTargetOf(config: {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly { host: string; port: number }[] | undefined;
}): RedisTarget {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
}

/** The credentials and TLS of a `redis[s]://` URL, for each node of a cluster. */
function nodeOptionsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {};
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

export function connectRedis(
  target: string | RedisTarget,
  purpose: ConnectionPurpose,
  extra: RedisOptions = {},
): RedisClient {
  const { url, clusterNodes } = typeof target === 'string' ? { url: target } : target;
  const options: RedisOptions = {
    ...PURPOSE_OPTIONS[purpose],
    connectionName: `acw-${purpose}`,
    lazyConnect: false,
    ...extra,
  };
  if (clusterNodes !== undefined && clusterNodes.length > 0) {
    const cluster = new Cluster([...clusterNodes], {
      redisOptions: { ...nodeOptionsOf(url), ...options },
      lazyConnect: options.lazyConnect ?? false,
      enableReadyCheck: true,
      // ioredis' own redirection and failover delays, on purpose: with longer ones (32
      // redirections, 200 ms) BullMQ workers whose queue's master failed over stayed blocked on
      // it and never closed (test/scale/cluster-failover.test.ts); with these they fail fast
      // and retry against the promoted replica.
    });
    cluster.on('error', () => {});
    return cluster;
  }
  const Connection = purpose === 'producer' ? CoalescingRedis : Redis;
  const redis = new Connection(url, options);
  // Connection errors reach callers through their commands and operators through /health/ready;
  // without a listener ioredis would print every failed reconnect attempt to stderr.
  redis.on('error', () => {});
  if (purpose === 'producer' && extra.enableOfflineQueue === undefined) {
    // Commands sent while the first connection is being made wait for it; once it has been
    // ready, a lost connection fails commands at once (ioredis reads this option per command).
    redis.once('ready', () => {
      redis.options.enableOfflineQueue = false;
    });
  }
  return redis;
}

/** Resolves when the connection is ready, rejects on its first error (for start-up checks). */
export async function waitUntilReady(redis: RedisClient, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}
