/**
 * bench/scale: does throughput grow with worker processes, on one Redis and on a Redis Cluster?
 * In one run, for each topology (a private single redis-server; a private cluster of three
 * masters with a replica each) and for 1, 2 and 4 worker processes (bench/support/scale-worker.ts,
 * each the real workers of the service):
 * - evaluation: BENCH_PRODUCTS products (100k) over BENCH_TENANTS tenants (8), evaluated in every
 *   configured context through the real BullMQ jobs on EVALUATION_QUEUE_SHARDS=4 shards, from the
 *   first request to the last product's profiles written: products/s;
 * - outbox: BENCH_EFFECTS receipt effects (20k) committed over the same tenants, released at
 *   once and delivered by the drain and delivery workers to a loopback sandbox provider, until
 *   every one is settled: effects/s.
 * The floor of each figure is the same work with one worker process on the single node, measured
 * in the same run; every figure is printed as a ratio to it (and to one process on the same
 * topology). The machine's cores bound it all: the CPU columns say how busy they were (worker
 * processes, this process with the provider, and every redis-server), so a ratio that stops
 * growing can be read against a machine that had nothing left to give.
 *
 *   npm run bench:scale   (BENCH_PRODUCTS, BENCH_EFFECTS, BENCH_TENANTS, BENCH_PROCESSES=1,2,4,
 *                          BENCH_TOPOLOGIES=single,cluster)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { catalogRuntime } from '../src/app/catalog-runtime.js';
import { createAppContext } from '../src/app-context.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startSandboxReceipt } from '../src/providers/sandbox/index.js';
import { checkoutQueues, nudgeOutboxDrain } from '../src/queues/outbox-queues.js';
import { evaluationShardOf, queuePrefix } from '../src/queues/queue-groups.js';
import { CheckoutStore } from '../src/store/checkout-store.js';
import { type DueEffect, OutboxStore } from '../src/store/outbox-store.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import { startPrivateRedisCluster } from '../src/store/private-redis-cluster.js';
import { generateCatalog } from './support/catalog.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const EFFECTS = Number(process.env.BENCH_EFFECTS ?? 20_000);
const TENANT_COUNT = Number(process.env.BENCH_TENANTS ?? 8);
const PROCESSES = (process.env.BENCH_PROCESSES ?? '1,2,4').split(',').map(Number);
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? 'single,cluster').split(',') as Topology[];
const SHARDS = 4;
const WORKER_ENTRY = fileURLToPath(new URL('./support/scale-worker.ts', import.meta.url));
/** A due time no drain reaches; the measured round releases every effect at once. */
const HELD_MS = 8_000_000_000_000;

type Topology = 'single' | 'cluster';

interface Figure {
  perSecond: number;
  /** CPU seconds per wall second: worker processes, this process (provider, probes), Redis. */
  workersCores: number;
  benchCores: number;
  redisCores: number;
}

interface Row {
  topology: Topology;
  processes: number;
  evaluation: Figure;
  outbox: Figure;
}

/**
 * Tenants spread evenly over the evaluation shards (their ids hash to them), so every shard
 * queue has work and no shard waits on another's tenants.
 */
function tenantsOverShards(count: number): string[] {
  const perShard = new Map<number, string[]>();
  const tenants: string[] = [];
  for (let i = 0; tenants.length < count; i += 1) {
    const tenant = `merchant-${i}`;
    const shard = evaluationShardOf(tenant, SHARDS);
    const taken = perShard.get(shard) ?? [];
    if (taken.length >= Math.ceil(count / SHARDS)) continue;
    taken.push(tenant);
    perShard.set(shard, taken);
    tenants.push(tenant);
  }
  return tenants;
}

interface RedisUnderTest {
  env: Record<string, string>;
  /** One plain connection per redis-server (replicas too: replication costs CPU). */
  servers: string[];
  stop(): Promise<void>;
}

async function startRedis(topology: Topology): Promise<RedisUnderTest> {
  if (topology === 'single') {
    const server = await startPrivateRedis({ persistence: 'none' });
    return {
      env: { REDIS_URL: server.url },
      servers: [server.url],
      stop: () => server.stop(),
    };
  }
  const cluster = await startPrivateRedisCluster({ nodeTimeoutMs: 5_000 });
  return {
    env: {
      REDIS_URL: `redis://${cluster.nodes[0]}`,
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
    },
    servers: cluster.nodes.map((node) => `redis://${node}`),
    stop: () => cluster.stop(),
  };
}

/** CPU seconds used so far by every redis-server of the topology. */
async function redisCpu(probes: readonly Redis[]): Promise<number> {
  let total = 0;
  for (const probe of probes) {
    const info = await probe.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    total += field('used_cpu_user') + field('used_cpu_sys');
  }
  return total;
}

/** Polls `done` (a bench may poll: nothing here is asserted) and gives up after five minutes. */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench/scale: gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function processCpu(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

interface WorkerProcess {
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const answer = <T>(key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (!(key in message)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message[key] as T);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`a worker process exited with ${code} before answering ${key}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  await answer('ready');
  return {
    cpu() {
      const reply = answer<number>('cpu');
      child.send('cpu');
      return reply;
    },
    async stop() {
      const exited = once(child, 'exit');
      child.send('stop');
      await exited;
    },
  };
}

/** Runs `work` with `workers` started, measuring its rate and the CPU of everything involved. */
async function measure(
  count: number,
  workers: readonly WorkerProcess[],
  probes: readonly Redis[],
  work: () => Promise<void>,
): Promise<Figure> {
  const cpuOf = async () => ({
    workers: (await Promise.all(workers.map((w) => w.cpu()))).reduce((a, b) => a + b, 0),
    bench: processCpu(),
    redis: await redisCpu(probes),
  });
  const before = await cpuOf();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const after = await cpuOf();
  return {
    perSecond: count / seconds,
    workersCores: (after.workers - before.workers) / seconds,
    benchCores: (after.bench - before.bench) / seconds,
    redisCores: (after.redis - before.redis) / seconds,
  };
}

async function runConfiguration(
  topology: Topology,
  redis: RedisUnderTest,
  processes: number,
  tenants: readonly string[],
  receiptUrl: string,
  settledSoFar: () => number,
): Promise<Row> {
  const unique = `scale-${randomUUID().slice(0, 8)}`;
  const feedDir = await mkdtemp(path.join(tmpdir(), 'acw-scale-'));
  const env: Record<string, string> = {
    ...redis.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    KEY_PREFIX: unique,
    QUEUE_PREFIX: `{${unique}}`,
    AUTH_TOKENS: tenants.map((tenant) => `${tenant}:${tenant}-token-0123456789`).join(','),
    FEED_DIR: feedDir,
    EVALUATION_QUEUE_SHARDS: String(SHARDS),
    EVALUATION_COALESCE_MS: '0',
    FEED_PUBLISH_DEBOUNCE_MS: '3600000',
    RESERVATION_URL: receiptUrl,
    PAYMENT_URL: receiptUrl,
    RECEIPT_URL: receiptUrl,
    OUTBOX_DRAIN_INTERVAL_MS: '20',
    OUTBOX_DRAIN_BATCH: '1000',
    // As bench/outbox: 32 calls in flight per provider per process.
    DELIVERY_CONCURRENCY: '32',
    PROVIDER_CONNECTIONS: '32',
  };
  const config = loadConfig(env);
  const ctx = createAppContext(config, createLogger({ level: 'silent' }), systemClock);
  const runtime = catalogRuntime(ctx);
  const probes = redis.servers.map((url) => new Redis(url));

  // Evaluation: the catalog in, nothing evaluated yet (no worker runs while it is written).
  const catalog = generateCatalog({ products: PRODUCTS, seed: 17, nowMs: ctx.clock.nowMs() });
  for (const [t, tenant] of tenants.entries()) {
    const stores = runtime.storesOf(tenant);
    for (const policy of catalog.policies) await stores.catalog.putPolicy(policy);
    const mine = catalog.products.filter((_, i) => i % tenants.length === t);
    for (let from = 0; from < mine.length; from += 1_000)
      await stores.catalog.putProducts(mine.slice(from, from + 1_000));
  }
  const events = runtime.queues.evaluateShards.map(
    (queue) =>
      new QueueEvents(queue.name, {
        connection: ctx.workerConnection(),
        prefix: queuePrefix(config, queue.name),
      }),
  );
  await Promise.all(events.map((e) => e.waitUntilReady()));
  let evaluated = 0;
  const allEvaluated = new Promise<void>((resolve) => {
    for (const e of events)
      e.on('completed', ({ returnvalue }) => {
        evaluated += (returnvalue as unknown as { products: number }).products;
        if (evaluated >= PRODUCTS) resolve();
      });
  });
  let workers = await Promise.all(
    Array.from({ length: processes }, () => spawnWorker({ ...env, SCALE_ROLE: 'evaluation' })),
  );
  const evaluation = await measure(PRODUCTS, workers, probes, async () => {
    await Promise.all(tenants.map((tenant) => runtime.evaluation.requestEvaluation(tenant, 0)));
    await allEvaluated;
  });
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(events.map((e) => e.close()));

  // Outbox: every effect committed and held back, then released at once.
  const outboxes = tenants.map((tenant) => new OutboxStore(ctx.redis, config.KEY_PREFIX, tenant));
  for (const [t, tenant] of tenants.entries()) {
    await outboxes[t]?.registerTenant();
    const checkouts = new CheckoutStore(ctx.redis, config.KEY_PREFIX, tenant);
    const mine = Math.floor(EFFECTS / tenants.length) + (t < EFFECTS % tenants.length ? 1 : 0);
    for (let from = 0; from < mine; from += 500) {
      const effects: DueEffect[] = [];
      for (let i = from; i < Math.min(mine, from + 500); i += 1)
        effects.push({
          effect: {
            id: `${unique}-${t}-${i}.receipt`,
            tenant,
            kind: 'receipt',
            provider: 'receipt',
            method: 'POST',
            path: '/receipts',
            body: {
              checkoutId: `co_${t}_${i}`,
              orderId: `ord_${t}_${i}`,
              lines: [],
              total: { amount: i, currency: 'EUR' },
            },
            correlationId: 'scale',
            createdAtMs: ctx.clock.nowMs(),
          },
          dueMs: HELD_MS,
        });
      await checkouts.commit({
        checkoutId: `${unique}-${t}-${from}`,
        expectedVersion: 0,
        doc: '{}',
        effects,
        audit: { type: 'bench.batch' },
      });
    }
  }
  const queues = checkoutQueues(ctx.producer, config);
  workers = await Promise.all(
    Array.from({ length: processes }, () => spawnWorker({ ...env, SCALE_ROLE: 'delivery' })),
  );
  const settledBefore = settledSoFar();
  const outbox = await measure(EFFECTS, workers, probes, async () => {
    for (const store of outboxes) {
      const due = store.key('outbox', 'due');
      await ctx.redis.zunionstore(due, 1, due, 'WEIGHTS', 0);
    }
    await Promise.all(tenants.map((tenant) => nudgeOutboxDrain(queues.drain, tenant)));
    // Applied at the provider first, then settled in each tenant's outbox.
    await until('every effect applied', async () => settledSoFar() >= settledBefore + EFFECTS);
    const settledKeys = outboxes.map((store) => store.key('outbox', 'settled'));
    await until('every effect settled', async () => {
      const counts = await Promise.all(settledKeys.map((key) => ctx.redis.zcard(key)));
      return counts.reduce((a, b) => a + b) >= EFFECTS;
    });
  });
  await Promise.all(workers.map((w) => w.stop()));

  await queues.close();
  await runtime.close();
  await ctx.close();
  // The next configuration starts from an empty Redis (memory, not correctness: prefixes differ).
  for (const probe of probes) await probe.flushall().catch(() => {});
  for (const probe of probes) probe.disconnect();
  await rm(feedDir, { recursive: true, force: true });
  return { topology, processes, evaluation, outbox };
}

function print(rows: readonly Row[]): void {
  const floor = rows.find((row) => row.topology === 'single' && row.processes === 1) ?? rows[0];
  if (floor === undefined) return;
  const oneOf = (topology: Topology) =>
    rows.find((row) => row.topology === topology && row.processes === 1);
  const cores = (f: Figure) =>
    `${f.workersCores.toFixed(2)} + ${f.benchCores.toFixed(2)} + ${f.redisCores.toFixed(2)} = ${(
      f.workersCores + f.benchCores + f.redisCores
    ).toFixed(2)}`;
  console.log(
    `scale bench: ${PRODUCTS} products × every context over ${TENANT_COUNT} tenants ` +
      `(${SHARDS} evaluation shards), ${EFFECTS} effects; ${availableParallelism()} cores`,
  );
  console.log(
    '  floor: one worker process on one redis-server, this run. Ratios: × that floor, and × one',
  );
  console.log(
    '  process on the same topology. Cores busy: worker processes + this process (provider) + redis-servers.',
  );
  for (const [name, pick, unit] of [
    ['evaluation', (row: Row) => row.evaluation, 'products/s'],
    ['outbox', (row: Row) => row.outbox, 'effects/s '],
  ] as const) {
    console.log(`  ${name}`);
    for (const row of rows) {
      const figure = pick(row);
      const one = oneOf(row.topology);
      const perOne = one === undefined ? '-' : (figure.perSecond / pick(one).perSecond).toFixed(2);
      const label = `${row.topology} × ${row.processes}`.padEnd(12);
      console.log(
        `    ${label} ${figure.perSecond.toFixed(0).padStart(7)} ${unit}` +
          `  × floor ${(figure.perSecond / pick(floor).perSecond).toFixed(2)}` +
          `  × 1 process ${perOne}  cores busy ${cores(figure)}`,
      );
    }
  }
}

async function main() {
  const receipt = await startSandboxReceipt();
  const tenants = tenantsOverShards(TENANT_COUNT);
  const rows: Row[] = [];
  for (const topology of TOPOLOGIES) {
    const redis = await startRedis(topology);
    try {
      for (const processes of PROCESSES) {
        const row = await runConfiguration(
          topology,
          redis,
          processes,
          tenants,
          receipt.url,
          () => receipt.stats.applied,
        );
        rows.push(row);
        console.log(
          `  measured ${topology} × ${processes}: ${row.evaluation.perSecond.toFixed(0)} products/s, ${row.outbox.perSecond.toFixed(0)} effects/s`,
        );
      }
    } finally {
      await redis.stop();
    }
  }
  print(rows);
  await receipt.close();
}

await main();
