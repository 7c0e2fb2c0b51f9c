/**
 * bench/outbox: effects delivered per second through the outbox (drain → BullMQ delivery jobs →
 * delivery worker → provider → settle) to a loopback provider, as a ratio to a raw undici loop
 * posting the same bodies with the same number in flight to the same provider, in the same run.
 *
 * Fairness: both paths are warmed up first (the floor by a discarded loop, the outbox by a
 * discarded round through the running workers), so neither pays JIT or connection set-up in its
 * figure. The measured effects are committed before the clock starts, held back by a due time in
 * the far future, and released at once (every due score set to 0, as time passing would), then
 * the drain is nudged as the checkout service does after a commit. The floor is measured before
 * and after the outbox and the higher of the two is used, so load on the machine cannot flatter
 * the ratio. A third loop posts the same bodies from bare BullMQ jobs (same data, options, batch
 * and concurrency, no outbox store): the ceiling of any design with one BullMQ job per effect,
 * the design the outbox had before its first attempts were batched (DELIVERY_BATCH per job). Also counts the Redis commands each effect costs, by command, and where the CPU goes
 * (this process: worker and provider; redis-server), per effect.
 *
 *   npm run bench:outbox            (BENCH_EFFECTS=5000 BENCH_IN_FLIGHT=32 by default;
 *                                    BENCH_DELIVERY_BATCH overrides DELIVERY_BATCH)
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { startCheckoutSchedulers, startCheckoutWorkers } from '../src/app/checkout-runtime.js';
import { createAppContext } from '../src/app-context.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startSandboxReceipt } from '../src/providers/sandbox/index.js';
import { deliveryJobOptions } from '../src/queues/delivery-options.js';
import { checkoutQueues, nudgeOutboxDrain } from '../src/queues/outbox-queues.js';
import { queuePrefix } from '../src/queues/queue-groups.js';
import { CheckoutStore } from '../src/store/checkout-store.js';
import { type DueEffect, type OutboxEffect, OutboxStore } from '../src/store/outbox-store.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import type { RedisClient } from '../src/store/redis.js';
import { commandStats, measured, type Phase } from './support/measure.js';

const EFFECTS = Number(process.env.BENCH_EFFECTS ?? 5_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const TENANT = 'bench';

function body(i: number) {
  return {
    checkoutId: `co_${i}`,
    orderId: `ord_${i}`,
    lines: [],
    total: { amount: i, currency: 'EUR' },
  };
}

/** Counts every command a client in this process sends, by name (the bench's probe aside). */
const sent = new Map<string, number>();
const uncounted = new WeakSet<Redis>();
const originalSend = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, command, stream) {
  if (!uncounted.has(this)) {
    const name = (command as { name: string }).name.toLowerCase();
    sent.set(name, (sent.get(name) ?? 0) + 1);
  }
  return originalSend.call(this, command, stream);
};

async function rawLoop(url: string): Promise<void> {
  const pool = new Pool(url, { connections: IN_FLIGHT });
  const run = randomUUID().slice(0, 8);
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < EFFECTS) {
        const i = next++;
        const response = await pool.request({
          path: '/receipts',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `raw-${run}-${i}` },
          body: JSON.stringify(body(i)),
        });
        await response.body.text();
        if (response.statusCode !== 201) throw new Error(`raw loop got ${response.statusCode}`);
      }
    }),
  );
  await pool.close();
}

/**
 * The same raw POSTs, one BullMQ job each: the drain's addBulk batches, the delivery jobs' data
 * and options, the same concurrency, a processor that only posts. No outbox store at all, so it
 * bounds what any design with one BullMQ job per effect can reach here. Like the outbox, its
 * worker runs before and across rounds; a round is timed from the first add to the last answer.
 */
function bareBullmq(
  url: string,
  connection: () => RedisClient,
  prefix: string,
  batch: number,
  attempts: number,
) {
  const pool = new Pool(url, { connections: IN_FLIGHT });
  const queue = new Queue('bench-bare', { connection: connection(), prefix });
  let left = 0;
  let finish = () => {};
  const worker = new Worker(
    queue.name,
    async (job) => {
      const response = await pool.request({
        path: '/receipts',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `bare-${job.id}` },
        body: JSON.stringify((job.data as { effect: OutboxEffect }).effect.body),
      });
      await response.body.text();
      if (response.statusCode !== 201) throw new Error(`bare loop got ${response.statusCode}`);
      if (--left === 0) finish();
    },
    { connection: connection(), prefix, concurrency: IN_FLIGHT },
  );
  return {
    async round(round: string): Promise<void> {
      left = EFFECTS;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const effects = effectsOf(round, EFFECTS, Date.now());
      for (let i = 0; i < EFFECTS; i += batch) {
        await queue.addBulk(
          effects.slice(i, i + batch).map(({ effect }) => ({
            name: effect.kind,
            data: { tenant: TENANT, effectId: effect.id, effect },
            opts: { ...deliveryJobOptions(attempts), jobId: effect.id },
          })),
        );
      }
      await finished;
    },
    async close(): Promise<void> {
      await worker.close();
      await queue.close();
      await pool.close();
    },
  };
}

function effectsOf(round: string, count: number, nowMs: number): DueEffect[] {
  return Array.from({ length: count }, (_, i) => {
    const effect: OutboxEffect = {
      id: `${round}-${i}.receipt`,
      tenant: TENANT,
      kind: 'receipt',
      provider: 'receipt',
      method: 'POST',
      path: '/receipts',
      body: body(i),
      correlationId: 'bench',
      createdAtMs: nowMs,
    };
    // Held back until released: the commit is not part of the measured rate.
    return { effect, dueMs: HELD_MS };
  });
}

/** A due time no drain reaches; a measured round releases its effects by setting every due score to 0. */
const HELD_MS = 8_000_000_000_000;

async function main() {
  const privateRedis = process.env.REDIS_URL
    ? undefined
    : await startPrivateRedis({ persistence: 'none' });
  const redisUrl = process.env.REDIS_URL ?? (privateRedis?.url as string);
  const receipt = await startSandboxReceipt();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    QUEUE_PREFIX: `{bench-${randomUUID().slice(0, 8)}}`,
    RESERVATION_URL: receipt.url,
    PAYMENT_URL: receipt.url,
    RECEIPT_URL: receipt.url,
    DELIVERY_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? String(IN_FLIGHT),
    ...(process.env.BENCH_DELIVERY_BATCH
      ? { DELIVERY_BATCH: process.env.BENCH_DELIVERY_BATCH }
      : {}),
    PROVIDER_CONNECTIONS: String(IN_FLIGHT),
    OUTBOX_DRAIN_INTERVAL_MS: '20',
    OUTBOX_DRAIN_BATCH: '1000',
  });
  const ctx = createAppContext(config, createLogger({ level: 'silent' }), systemClock);
  const probe = new Redis(redisUrl);
  uncounted.add(probe);

  // Floor, warmed up by a discarded loop.
  await rawLoop(receipt.url);
  const floorBefore = await measured(probe, EFFECTS, () => rawLoop(receipt.url));

  const bare = bareBullmq(
    receipt.url,
    () => ctx.workerConnection(),
    queuePrefix(config, 'bare'),
    config.OUTBOX_DRAIN_BATCH,
    config.OUTBOX_MAX_ATTEMPTS,
  );
  await bare.round('bare-warm');
  const bullmq = await measured(probe, EFFECTS, () => bare.round('bare'));
  await bare.close();

  const checkouts = new CheckoutStore(ctx.redis, config.KEY_PREFIX, TENANT);
  const outbox = new OutboxStore(ctx.redis, config.KEY_PREFIX, TENANT);
  await outbox.registerTenant();
  const settledKey = outbox.key('outbox', 'settled');
  const dueKey = outbox.key('outbox', 'due');
  const queues = checkoutQueues(ctx.producer, config);
  let committedSeconds = 0;
  let settledTarget = 0;
  const commitRound = async (round: string) => {
    const effects = effectsOf(round, EFFECTS, Date.now());
    const started = performance.now();
    for (let i = 0; i < EFFECTS; i += 500) {
      await checkouts.commit({
        checkoutId: `${round}-${i}`,
        expectedVersion: 0,
        doc: '{}',
        effects: effects.slice(i, i + 500),
        audit: { type: 'bench.batch' },
      });
    }
    committedSeconds = (performance.now() - started) / 1000;
  };
  const deliverRound = async () => {
    const appliedBefore = receipt.stats.applied;
    settledTarget += EFFECTS;
    await probe.zunionstore(dueKey, 1, dueKey, 'WEIGHTS', 0);
    await nudgeOutboxDrain(queues.drain, TENANT);
    await receipt.appliedAtLeast(appliedBefore + EFFECTS);
    // Applied at the provider is not yet settled in the outbox: wait for the last settle.
    while ((await probe.zcard(settledKey)) < settledTarget) {
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  const running = [
    ...(await startCheckoutWorkers(ctx, {
      reservation: receipt.url,
      payment: receipt.url,
      receipt: receipt.url,
    })),
    ...(await startCheckoutSchedulers(ctx)),
  ];
  // Outbox, warmed up by a discarded round through the running workers.
  await commitRound('warm');
  await deliverRound();
  await commitRound('bench');
  sent.clear();
  const serverBefore = await commandStats(probe);
  const outboxPhase = await measured(probe, EFFECTS, deliverRound);
  const counted = new Map(sent);
  const serverAfter = await commandStats(probe);
  const server = [...serverAfter]
    .map(([name, after]) => {
      const before = serverBefore.get(name) ?? { calls: 0, usec: 0 };
      return {
        name,
        calls: (after.calls - before.calls) / EFFECTS,
        usec: (after.usec - before.usec) / EFFECTS,
      };
    })
    .filter((row) => row.calls >= 0.01 && !['info', 'zcard', 'zunionstore'].includes(row.name))
    .sort((a, b) => b.usec - a.usec);

  const floorAfter = await measured(probe, EFFECTS, () => rawLoop(receipt.url));
  const floor = floorBefore.perSecond >= floorAfter.perSecond ? floorBefore : floorAfter;

  const perEffect = [...counted.entries()]
    .map(([name, n]) => [name, n / EFFECTS] as const)
    .filter(([, n]) => n >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  const total = perEffect.reduce((sum, [, n]) => sum + n, 0);
  const rate = (phase: Phase) => phase.perSecond.toFixed(0).padStart(7);
  const cpu = (phase: Phase) =>
    `CPU/effect: node ${phase.nodeUs.toFixed(0).padStart(4)} µs, redis ${phase.redisUs
      .toFixed(0)
      .padStart(4)} µs`;

  console.log(
    `outbox bench: ${EFFECTS} effects, ${IN_FLIGHT} in flight, loopback sandbox provider`,
  );
  console.log(
    `  floor  raw undici loop          ${rate(floor)} effects/s   ${cpu(floor)}` +
      `   (before ${floorBefore.perSecond.toFixed(0)}, after ${floorAfter.perSecond.toFixed(0)})`,
  );
  console.log(
    `  BullMQ job per POST, no store  ${rate(bullmq)} effects/s   ${cpu(bullmq)}   ratio ${(
      bullmq.perSecond / floor.perSecond
    ).toFixed(2)} (ceiling for a job per effect)`,
  );
  console.log(
    `  outbox drain → deliver → settle ${rate(outboxPhase)} effects/s   ${cpu(outboxPhase)}`,
  );
  console.log(
    `  ratio outbox / floor            ${(outboxPhase.perSecond / floor.perSecond)
      .toFixed(2)
      .padStart(7)}   (aim ≥ 0.70; ${config.DELIVERY_BATCH} effects per delivery job)`,
  );
  console.log(
    `  commit of the effects (not in the rate): ${(EFFECTS / committedSeconds).toFixed(0)} effects/s`,
  );
  console.log(
    `  Redis commands per delivered effect (client side, incl. BullMQ): ${total.toFixed(2)}`,
  );
  for (const [name, n] of perEffect) console.log(`    ${name.padEnd(12)} ${n.toFixed(2)}`);
  console.log(
    "  redis-server per effect, by command (scripts' inner calls too; usec of evalsha includes them):",
  );
  for (const row of server.slice(0, 14)) {
    console.log(
      `    ${row.name.padEnd(12)} ${row.calls.toFixed(2).padStart(5)} calls ${row.usec.toFixed(1).padStart(6)} µs`,
    );
  }

  await probe.quit();
  for (const part of running.reverse()) await part.close();
  await queues.close();
  await ctx.close();
  await receipt.close();
  await privateRedis?.stop();
}

await main();
