import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { inject } from 'vitest';
import {
  connectRedis,
  type RedisClient,
  type RedisTarget,
  redisNodeOf,
} from '../../src/store/redis.js';

/**
 * The URL of the run's Redis, started by test/global-setup.ts or given by REDIS_URL. With a
 * cluster (REDIS_MODE=cluster) it is one master's: use testRedisTarget() or testRedisEnv() to
 * reach the whole cluster.
 */
export function testRedisUrl(): string {
  const url = inject('redisUrl');
  if (url === undefined)
    throw new Error(
      'this test needs Redis, but its vitest project has none: the unit project is for pure tests (vitest.config.ts)',
    );
  return url;
}

/** `host:port,…` when the run's Redis is a cluster; undefined on a single node. */
export function testClusterNodes(): string | undefined {
  const nodes = inject('redisClusterNodes');
  return nodes === undefined || nodes === '' ? undefined : nodes;
}

/** True when the run's Redis is a cluster (REDIS_MODE=cluster). */
export function testRedisIsCluster(): boolean {
  return testClusterNodes() !== undefined;
}

/** The run's Redis as connectRedis takes it: one node, or the cluster. */
export function testRedisTarget(): RedisTarget {
  const nodes = testClusterNodes();
  return {
    url: testRedisUrl(),
    clusterNodes: nodes?.split(',').map(redisNodeOf),
  };
}

/** The environment that points the service at the run's Redis (for loadConfig or a child). */
export function testRedisEnv(): { REDIS_URL: string; REDIS_CLUSTER_NODES?: string } {
  const nodes = testClusterNodes();
  return nodes === undefined
    ? { REDIS_URL: testRedisUrl() }
    : { REDIS_URL: testRedisUrl(), REDIS_CLUSTER_NODES: nodes };
}

export function connectTestRedis(): RedisClient {
  return connectRedis(testRedisTarget(), 'worker');
}

/** A prefix no other test file uses, so files can share one Redis without stepping on each other. */
export function uniquePrefix(name = 'test'): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

/**
 * Every key matching `pattern`, sorted: SCAN on each master of a cluster (a node holds only its
 * own slots' keys), on the one node otherwise.
 */
export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  // A cluster client that has sent nothing yet may still be refreshing its slots, and a node
  // it lists then can be one it is about to drop ("Connection is closed"): a command through
  // the cluster waits until it is ready.
  if (redis instanceof Cluster) await redis.ping();
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
  }
  return keys.sort();
}
