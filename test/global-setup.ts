import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { type PrivateRedis, startPrivateRedis } from '../src/store/private-redis.js';
import {
  type PrivateRedisCluster,
  startPrivateRedisCluster,
} from '../src/store/private-redis-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A single node; with a cluster, one of its masters (for tests that need a node's URL). */
    redisUrl: string;
    /** `host:port,…` of the run's cluster (REDIS_MODE=cluster), empty on a single node. */
    redisClusterNodes: string;
  }
}

let privateRedis: PrivateRedis | undefined;
let privateCluster: PrivateRedisCluster | undefined;
let startingCluster: Promise<string> | undefined;

/**
 * Every test run gets its own throw-away `redis-server` on a free port (no persistence), unless
 * REDIS_URL points at one already. With REDIS_MODE=cluster it gets a throw-away Redis Cluster
 * instead: three masters with a replica each (src/store/private-redis-cluster.ts), and every
 * connection the tests and the service make is a cluster client. Test files share the server
 * and keep apart by unique key prefixes and queue names, never by FLUSHALL. The integration and
 * browser projects both name this file: the first to start sets REDIS_URL (or
 * ACW_TEST_CLUSTER_NODES), so the second shares its server and only the first stops it.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.REDIS_MODE === 'cluster') {
    // Both projects' setups may run at once: the second waits for the first's cluster.
    startingCluster ??= startPrivateRedisCluster().then((cluster) => {
      privateCluster = cluster;
      return cluster.nodes.join(',');
    });
    const nodes = process.env.ACW_TEST_CLUSTER_NODES ?? (await startingCluster);
    project.provide('redisUrl', `redis://${nodes.split(',')[0]}`);
    project.provide('redisClusterNodes', nodes);
    return;
  }
  project.provide('redisClusterNodes', '');
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return;
  }
  privateRedis = await startPrivateRedis({ persistence: 'none' });
  process.env.REDIS_URL = privateRedis.url;
  project.provide('redisUrl', privateRedis.url);
}

export async function teardown(): Promise<void> {
  await privateRedis?.stop();
  if (privateCluster === undefined) return;
  try {
    await refuseCrossSlotErrors(privateCluster.nodes);
  } finally {
    await privateCluster.stop();
  }
}

/**
 * Fails the run if any node of the cluster answered anything with CROSSSLOT: a script, MULTI or
 * multi-key command of the service (or of BullMQ) that spans slots, whether or not the code that
 * sent it showed the error. Redis counts every error reply by its prefix (INFO errorstats).
 */
async function refuseCrossSlotErrors(nodes: readonly string[]): Promise<void> {
  const counts = await Promise.all(
    nodes.map(async (node) => {
      const [host, port] = node.split(':') as [string, string];
      const client = new Redis({ host, port: Number(port), lazyConnect: true });
      try {
        const info = await client.info('errorstats');
        return { node, crossSlot: Number(/errorstat_CROSSSLOT:count=(\d+)/.exec(info)?.[1] ?? 0) };
      } finally {
        client.disconnect();
      }
    }),
  );
  const failing = counts.filter((count) => count.crossSlot > 0);
  if (failing.length > 0) {
    // vitest reports an error thrown here but still exits 0: the exit code says it.
    process.exitCode = 1;
    throw new Error(`CROSSSLOT errors on the test cluster: ${JSON.stringify(failing)}`);
  }
}
