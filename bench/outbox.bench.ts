/**
 * bench/outbox: effects delivered per second through the outbox (commit → drain → BullMQ →
 * delivery worker → settle) to a loopback provider, as a ratio to a raw undici loop posting the
 * same bodies with the same number in flight, measured in the same run against the same provider.
 * Also counts the Redis commands each delivered effect costs, by command.
 *
 *   npm run bench:outbox            (BENCH_EFFECTS=5000 BENCH_IN_FLIGHT=32 by default)
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { createAppContext } from '../src/app-context.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { startCheckoutSchedulers, startCheckoutWorkers } from '../src/features/checkout-runtime.js';
import { createLogger } from '../src/logger.js';
import { startSandboxReceipt } from '../src/providers/sandbox/index.js';
import { CheckoutStore } from '../src/store/checkout-store.js';
import { type DueEffect, type OutboxEffect, OutboxStore } from '../src/store/outbox-store.js';
import { startPrivateRedis } from '../src/store/private-redis.js';

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

/** Counts every command a client in this process sends, by name. */
const sent = new Map<string, number>();
const originalSend = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, command, stream) {
  const name = (command as { name: string }).name.toLowerCase();
  sent.set(name, (sent.get(name) ?? 0) + 1);
  return originalSend.call(this, command, stream);
};

async function rawFloor(url: string): Promise<number> {
  const pool = new Pool(url, { connections: IN_FLIGHT });
  const run = randomUUID().slice(0, 8);
  let next = 0;
  const started = performance.now();
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
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return EFFECTS / seconds;
}

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
    PROVIDER_CONNECTIONS: String(IN_FLIGHT),
    OUTBOX_DRAIN_INTERVAL_MS: '20',
    OUTBOX_DRAIN_BATCH: '1000',
  });
  const ctx = createAppContext(config, createLogger({ level: 'silent' }), systemClock);

  // Warm up both paths (JIT, connections), then measure.
  await rawFloor(receipt.url);
  const floor = await rawFloor(receipt.url);

  const effects: DueEffect[] = Array.from({ length: EFFECTS }, (_, i) => {
    const effect: OutboxEffect = {
      id: `bench-${i}.receipt`,
      tenant: TENANT,
      kind: 'receipt',
      provider: 'receipt',
      method: 'POST',
      path: '/receipts',
      body: body(i),
      correlationId: 'bench',
      createdAtMs: Date.now(),
    };
    return { effect, dueMs: 0 };
  });
  const checkouts = new CheckoutStore(ctx.redis, config.KEY_PREFIX, TENANT);
  const outbox = new OutboxStore(ctx.redis, config.KEY_PREFIX, TENANT);
  await outbox.registerTenant();
  const commitStarted = performance.now();
  for (let i = 0; i < EFFECTS; i += 500) {
    await checkouts.commit({
      checkoutId: `bench-${i}`,
      expectedVersion: 0,
      doc: '{}',
      effects: effects.slice(i, i + 500),
      audit: { type: 'bench.batch' },
    });
  }
  const commitSeconds = (performance.now() - commitStarted) / 1000;

  const appliedBefore = receipt.stats.applied;
  sent.clear();
  const started = performance.now();
  const running = [
    ...(await startCheckoutWorkers(ctx, {
      reservation: receipt.url,
      payment: receipt.url,
      receipt: receipt.url,
    })),
    ...(await startCheckoutSchedulers(ctx)),
  ];
  await receipt.appliedAtLeast(appliedBefore + EFFECTS);
  const settledKey = `${config.KEY_PREFIX}:{${TENANT}}:outbox:settled`;
  const probe = new Redis(redisUrl);
  while ((await probe.zcard(settledKey)) < EFFECTS) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  const counted = new Map(sent);
  const outboxRate = EFFECTS / seconds;

  const perEffect = [...counted.entries()]
    .map(([name, n]) => [name, n / EFFECTS] as const)
    .filter(([, n]) => n >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  const total = perEffect.reduce((sum, [, n]) => sum + n, 0);

  console.log(
    `outbox bench: ${EFFECTS} effects, ${IN_FLIGHT} in flight, loopback sandbox provider`,
  );
  console.log(`  floor  raw undici loop          ${floor.toFixed(0).padStart(7)} effects/s`);
  console.log(`  outbox drain → deliver → settle ${outboxRate.toFixed(0).padStart(7)} effects/s`);
  console.log(
    `  ratio outbox / floor            ${(outboxRate / floor).toFixed(2).padStart(7)}   (aim ≥ 0.50)`,
  );
  console.log(
    `  commit of the effects (not in the rate): ${(EFFECTS / commitSeconds).toFixed(0)} effects/s`,
  );
  console.log(
    `  Redis commands per delivered effect (client side, incl. BullMQ): ${total.toFixed(2)}`,
  );
  for (const [name, n] of perEffect) console.log(`    ${name.padEnd(12)} ${n.toFixed(2)}`);

  await probe.quit();
  for (const part of running.reverse()) await part.close();
  await ctx.close();
  await receipt.close();
  await privateRedis?.stop();
}

await main();
