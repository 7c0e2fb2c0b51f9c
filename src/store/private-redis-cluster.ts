import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type PrivateRedis, startPrivateRedis } from './private-redis.js';

export interface PrivateRedisCluster {
  /** Every node as `host:port`, masters first: what REDIS_CLUSTER_NODES takes. */
  nodes: string[];
  /** The node servers by port, so a test can kill one (a failover). */
  servers: Map<number, PrivateRedis>;
  stop(): Promise<void>;
  /** Synchronous SIGTERM to every node, for a process about to exit. */
  kill(): void;
}

export interface PrivateRedisClusterOptions {
  /** @defaultValue 3 */
  masters?: number;
  /** @defaultValue 1 */
  replicasPerMaster?: number;
  /**
   * How long a master may be unreachable before its replica is promoted.
   * @defaultValue 1000 (Redis's own default is 15 s; tests want a failover to be quick)
   */
  nodeTimeoutMs?: number;
}

/**
 * A throw-away Redis Cluster on loopback for tests and benches: `masters × (1 + replicas)`
 * redis-server processes with cluster mode on (nothing kept on disk but each node's
 * nodes.conf, in a temporary folder), joined by `redis-cli --cluster create`. Resolves once
 * every node reports the cluster `ok` with all 16384 slots served.
 */
export async function startPrivateRedisCluster(
  options: PrivateRedisClusterOptions = {},
): Promise<PrivateRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const dir = mkdtempSync(path.join(tmpdir(), 'acw-cluster-'));
  const servers = new Map<number, PrivateRedis>();
  const stopAll = async () => {
    await Promise.allSettled([...servers.values()].map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const count = masters * (1 + replicas);
    // Each node's cluster bus gets a free port of its own too: the default, port + 10000, may
    // be taken, another node's, or past 65535.
    const ports = await distinctFreePorts(count * 2);
    const started = await Promise.all(
      ports.slice(0, count).map(async (port, n) => {
        const server = await startPrivateRedis({
          persistence: 'none',
          port,
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(ports[count + n]),
            '--cluster-config-file',
            path.join(dir, `nodes-${n}.conf`),
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 1_000),
            // A replica takes over however long it was cut off: a test's failover must happen.
            '--cluster-replica-validity-factor',
            '0',
          ],
        });
        servers.set(server.port, server);
        return server;
      }),
    );
    const nodes = started.map((server) => `127.0.0.1:${server.port}`);
    await createCluster(nodes, replicas);
    await waitForClusterOk(
      started.map((server) => server.port),
      masters * replicas,
    );
    return {
      nodes,
      servers,
      stop: stopAll,
      kill() {
        for (const server of servers.values()) server.kill();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Ports the OS calls free, all held open at once so no two are the same. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer().listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** `redis-cli --cluster create`: the first `masters` nodes get the slots, the rest replicate. */
async function createCluster(nodes: readonly string[], replicas: number): Promise<void> {
  const child = spawn(
    'redis-cli',
    ['--cluster', 'create', ...nodes, '--cluster-replicas', String(replicas), '--cluster-yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${output}`);
}

/**
 * Until every node sees all 16384 slots served and every replica is in sync with its master
 * (`master_link_status:up`): before that a master that crashes takes its writes with it, and
 * a failover test would prove nothing about failover.
 */
async function waitForClusterOk(
  ports: readonly number[],
  replicas: number,
  deadlineMs = 20_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  const clients = ports.map((port) => new Redis({ port, host: '127.0.0.1', lazyConnect: true }));
  try {
    for (;;) {
      const infos = await Promise.all(clients.map((client) => client.cluster('INFO')));
      const links = await Promise.all(clients.map((client) => client.info('replication')));
      const ok = infos.every(
        (info) =>
          /cluster_state:ok/.test(info) &&
          /cluster_slots_ok:16384/.test(info) &&
          new RegExp(`cluster_known_nodes:${ports.length}\\b`).test(info),
      );
      const inSync = links.filter(
        (info) => /role:slave/.test(info) && /master_link_status:up/.test(info),
      ).length;
      if (ok && inSync === replicas) return;
      if (Date.now() > until) throw new Error(`cluster not ok within ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
}
