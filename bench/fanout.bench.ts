/**
 * bench/fanout: decision events fanned out to subscribers (issue 18), in one run:
 * - evaluation throughput with subscriptions ÷ without: the same catalog, the same change (every
 *   product's price and stock re-observed, so every decision that relies on them gets a new
 *   validUntil: the same work in every round), evaluated through the real BullMQ jobs once with
 *   the subscriptions stored (each evaluation MULTI then also XADDs its changes to the tenant's
 *   change stream, and each batch job asks for a projection) and once without, alternately,
 *   BENCH_ROUNDS times each; the best round of each is compared (aim ≥ 0.9);
 * - the fan-out of the last round with subscriptions: its change stream projected into decision
 *   events (the projector job, alone: projection events/s), then delivered by the outbox workers
 *   (drain → batch jobs → ordering gate → signed POST → settle) to a loopback subscriber that
 *   verifies every signature, until every event is settled; events/s as a ratio to the floor, a
 *   raw undici loop POSTing the same number of bodies (real event bodies kept from the warm-up
 *   fan-out, same headers, valid signatures) with the same number in flight
 *   (DELIVERY_CONCURRENCY) to the same subscriber, measured before and after, the higher used
 *   (as bench/outbox). Projection + delivery end to end is printed against the same floor.
 *   Delivery is also printed against an I/O floor (bench/support/delivery-io-floor.ts): the
 *   Redis keys the delivery reads and writes per event, with plain commands, and the same POSTs,
 *   without BullMQ, scripts or logic, over up to 100k events: what is left is what the queue and
 *   our code cost.
 * - as in service: one more round's changes evaluated, then projected and delivered at the same
 *   time, as the service runs them, with the projection's backpressure
 *   (DECISION_EVENT_QUEUE_HIGH_WATER) in play: events/s end to end, the most entries pending in
 *   the outbox at once (sampled every 100 ms), how often the projection held back, claims per
 *   event. In both deliveries a checkout's receipt effect is committed as it starts (due now,
 *   the drain nudged, as a checkout transition does), and the time it takes to reach its
 *   provider is printed: how long a checkout waits behind a fan-out.
 *   Projection and delivery run one after the other, not overlapped as in service, so each has
 *   its own figure: both run on this process's one thread, so overlapping them would mostly
 *   interleave the same CPU; the end-to-end figure is thus a little pessimistic. The effects
 *   the drain claimed are counted too: more than the events means some were claimed again after
 *   their lease (OUTBOX_LEASE_MS) ran out in the delivery queue.
 *
 * The catalog: BENCH_PRODUCTS products (100k) over max(100, BENCH_SUBSCRIPTIONS) categories and
 * BENCH_SUBSCRIPTIONS subscriptions (100); subscription i watches the categories c with
 * c mod BENCH_SUBSCRIPTIONS = i (with the defaults: category i), so every product is covered by
 * exactly one subscription, and every changed (product, context) pair is exactly one event. All
 * subscriptions point at the one subscriber (a path each), in every evaluated context
 * (EVALUATION_CONTEXTS' default, four). The events expected are counted from the products' audit
 * entries of that round and from the change stream, and the subscriber must have accepted exactly
 * that many distinct Webhook-Ids, every signature valid.
 *
 * Fairness: a first evaluation of the whole catalog and a small fan-out (BENCH_WARM products,
 * 2,000) run first and are discarded, so JIT, connections and the subscriber are warm on both
 * paths; the floor is warmed by a discarded loop. Redis commands per event (as redis-server
 * counts them, scripts' inner calls too) and CPU per product and per event (this process, which
 * runs the workers and the subscriber, and redis-server) are printed for each phase.
 *
 *   npm run bench:fanout   (BENCH_PRODUCTS=100000 BENCH_SUBSCRIPTIONS=100 BENCH_ROUNDS=2
 *                           BENCH_WARM=2000 by default; about 9 minutes on a 2-core machine,
 *                           BENCH_PRODUCTS=5000 about 35 s)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { catalogFeature } from '../src/app/catalog.js';
import { startCheckoutSchedulers, startCheckoutWorkers } from '../src/app/checkout-runtime.js';
import { subscriptionServiceOf, subscriptionsFeature } from '../src/app/subscriptions.js';
import { systemClock } from '../src/clock.js';
import { type ProductFacts, toInstant } from '../src/domain/index.js';
import { signWebhook } from '../src/providers/webhook-signature.js';
import { checkoutQueues, nudgeOutboxDrain } from '../src/queues/outbox-queues.js';
import { openProjectionQueue, requestProjection } from '../src/queues/subscription-queues.js';
import type { Closable } from '../src/runtime/closable.js';
import {
  DecisionEventProjector,
  type ProjectionStep,
} from '../src/services/subscriptions/decision-event-projector.js';
import { SubscriptionBodySchema } from '../src/services/subscriptions/product-subscription.js';
import { auditKeyParts } from '../src/store/catalog-layout.js';
import { CheckoutStore } from '../src/store/checkout-store.js';
import { tenantKeys } from '../src/store/keys.js';
import { type OutboxEffect, OutboxStore } from '../src/store/outbox-store.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import { generateCatalog } from './support/catalog.js';
import { BENCH_TENANT, benchCatalogApp, evaluationDriver } from './support/catalog-app.js';
import { deliveryIoFloor } from './support/delivery-io-floor.js';
import { startFanoutReceiver } from './support/fanout-receiver.js';
import { commandStats, measured, type Phase } from './support/measure.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARM = Math.min(PRODUCTS, Number(process.env.BENCH_WARM ?? 2_000));
const CATEGORIES = Math.max(100, SUBSCRIPTIONS);
/** As bench/outbox: calls in flight, and connections to the subscriber. */
const IN_FLIGHT = 32;
const TENANT = BENCH_TENANT;
const SECRET = 'bench-fanout-webhook-secret-0123456789';
/** The subscriber's bodies kept for the floor (from the warm-up fan-out). */
const FLOOR_BODIES = 10_000;
/** Events the I/O floor delivers (its own copies in Redis, so bounded). */
const IO_FLOOR_EVENTS = 100_000;
/** Gives up when the subscriber has heard nothing new for this long. */
const STALL_MS = 60_000;

/** Every projection step the projector makes, timed (the projector job's own work). */
const steps: (ProjectionStep & { ms: number })[] = [];
const stepWaiters: { entries: number; resolve: () => void }[] = [];
let projectedEntries = 0;
const originalStep = DecisionEventProjector.prototype.step;
DecisionEventProjector.prototype.step = async function (
  this: DecisionEventProjector,
  tenant: string,
  nowMs: number,
) {
  const started = performance.now();
  const result = await originalStep.call(this, tenant, nowMs);
  steps.push({ ...result, ms: performance.now() - started });
  projectedEntries += result.entries;
  for (let i = stepWaiters.length - 1; i >= 0; i--) {
    const waiter = stepWaiters[i] as (typeof stepWaiters)[number];
    if (projectedEntries >= waiter.entries) {
      stepWaiters.splice(i, 1);
      waiter.resolve();
    }
  }
  return result;
};

/**
 * Effects the outbox drain claimed: more than the events means the drain claimed some again,
 * their lease (OUTBOX_LEASE_MS) having run out while they waited in the delivery queue.
 */
let claimed = 0;
const originalClaimDue = OutboxStore.prototype.claimDue;
OutboxStore.prototype.claimDue = async function (
  this: OutboxStore,
  nowMs: number,
  leaseMs: number,
  limit: number,
) {
  const effects = await originalClaimDue.call(this, nowMs, leaseMs, limit);
  claimed += effects.length;
  return effects;
};

/** The catalog with every price and stock observed at `atMs` (the facts of a feed refresh). */
function reobserved(products: readonly ProductFacts[], atMs: number): ProductFacts[] {
  const observedAt = toInstant(atMs);
  return products.map((product) => {
    const next: ProductFacts = { ...product };
    if (product.price !== undefined) next.price = { ...product.price, observedAt };
    if (product.inventory !== undefined) next.inventory = { ...product.inventory, observedAt };
    return next;
  });
}

/** Polls until `value` reaches `target`; fails when it has not moved for STALL_MS (no hang). */
async function until(
  what: string,
  value: () => number | Promise<number>,
  target: number,
): Promise<void> {
  let last = Number.NaN;
  let movedAt = Date.now();
  for (;;) {
    const now = await value();
    if (now >= target) return;
    if (now !== last) [last, movedAt] = [now, Date.now()];
    if (Date.now() - movedAt > STALL_MS)
      throw new Error(`bench/fanout: ${what}: stuck at ${now} of ${target} for ${STALL_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(redisUrl: string) {
  const started = performance.now();
  const receiver = await startFanoutReceiver(SECRET);
  const feedDir = await mkdtemp(path.join(tmpdir(), 'acw-fanout-'));
  const app = benchCatalogApp({
    redisUrl,
    unique: `fanout-${randomUUID().slice(0, 8)}`,
    feedDir,
    clock: systemClock,
    env: {
      EVALUATION_COALESCE_MS: '0',
      FEED_PUBLISH_DEBOUNCE_MS: '600000',
      DECISION_EVENT_COALESCE_MS: '0',
      WEBHOOK_SECRET: SECRET,
      RESERVATION_URL: receiver.url,
      PAYMENT_URL: receiver.url,
      RECEIPT_URL: receiver.url,
      // As bench/outbox.
      DELIVERY_CONCURRENCY: String(IN_FLIGHT),
      PROVIDER_CONNECTIONS: String(IN_FLIGHT),
      OUTBOX_DRAIN_INTERVAL_MS: '20',
      OUTBOX_DRAIN_BATCH: '1000',
    },
  });
  const { config, ctx, runtime, stores } = app;
  const probe = new Redis(redisUrl);
  const key = tenantKeys(config.KEY_PREFIX, TENANT);
  const streamKey = key('decision-changes');
  const cursorKey = key('decision-changes', 'cursor');
  const outbox = new OutboxStore(ctx.redis, config.KEY_PREFIX, TENANT);
  const settledKey = outbox.key('outbox', 'settled');
  const dueKey = outbox.key('outbox', 'due');
  const projections = openProjectionQueue(ctx.redis, config);
  const endpoints = { reservation: receiver.url, payment: receiver.url, receipt: receiver.url };

  // The catalog, ingested before any worker runs.
  const catalog = generateCatalog({
    products: PRODUCTS,
    seed: 18,
    categories: CATEGORIES,
    nowMs: ctx.clock.nowMs(),
  });
  for (const policy of catalog.policies) await stores.catalog.putPolicy(policy);
  const putAll = async (products: readonly ProductFacts[]) => {
    for (let from = 0; from < products.length; from += 1_000)
      await stores.catalog.putProducts(products.slice(from, from + 1_000));
  };
  await putAll(catalog.products);
  const categoryOf = new Map(catalog.products.map((p) => [p.id, p.category]));

  // Subscription i watches the categories c with c mod SUBSCRIPTIONS = i.
  const subscriptions = subscriptionServiceOf(ctx);
  const watched = new Set<string>();
  const bodies = Array.from({ length: SUBSCRIPTIONS }, (_, i) => {
    const categories = catalog.categories.filter((_, c) => c % SUBSCRIPTIONS === i);
    for (const category of categories) watched.add(category);
    return SubscriptionBodySchema.parse({ url: `${receiver.url}/hooks/agent-${i}`, categories });
  });
  const subscribe = async () => {
    for (const [i, body] of bodies.entries()) await subscriptions.put(TENANT, `agent-${i}`, body);
  };
  const unsubscribe = async () => {
    for (let i = 0; i < SUBSCRIPTIONS; i++) await subscriptions.remove(TENANT, `agent-${i}`);
  };

  /**
   * The (product, context) pairs of `products` whose latest audit entry was written at or after
   * `sinceMs`, and of those the ones a subscription covers: the events expected.
   */
  const auditedPairs = async (products: readonly ProductFacts[], sinceMs: number) => {
    let pairs = 0;
    let covered = 0;
    for (let from = 0; from < products.length; from += 1_000) {
      const page = products.slice(from, from + 1_000);
      const pipeline = probe.pipeline();
      for (const product of page)
        pipeline.xrevrange(key(...auditKeyParts(product.id)), '+', '-', 'COUNT', 1);
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([, rows], i) => {
        const [entry] = rows as [string, string[]][];
        if (entry === undefined || Number(entry[0].split('-')[0]) < sinceMs) return;
        const contexts = entry[1].filter(
          (name, at) => at % 2 === 0 && name !== 'evaluatedAt' && name !== 'rulesetVersion',
        ).length;
        pairs += contexts;
        if (watched.has((page[i] as ProductFacts).category)) covered += contexts;
      });
    }
    return { pairs, covered };
  };
  /** The change stream's entries after the cursor and the covered (product, context) pairs they list. */
  const streamPairs = async () => {
    let entries = 0;
    let covered = 0;
    const cursor = await probe.get(cursorKey);
    for (let after = cursor === null ? '-' : `(${cursor}`; ; ) {
      const rows = await probe.xrange(streamKey, after, '+', 'COUNT', 50);
      for (const [, flat] of rows) {
        let category: string | undefined;
        for (let at = 0; at < flat.length; at += 2) {
          const name = flat[at] as string;
          if (name === 'p') category = categoryOf.get(flat[at + 1] as string);
          else if (name !== 't' && name !== 'r' && category !== undefined && watched.has(category))
            covered += 1;
        }
      }
      entries += rows.length;
      if (rows.length < 50) break;
      after = `(${(rows.at(-1) as [string, string[]])[0]}`;
    }
    return { entries, covered };
  };

  /** Projects the change stream's `entries` (the projector job alone, no delivery running). */
  const project = async (entries: number, events: number) => {
    const from = steps.length;
    const target = projectedEntries + entries;
    const before = await commandStats(probe);
    let running: Closable[] = [];
    const phase = await measured(probe, events, async () => {
      const projected = new Promise<void>((resolve) =>
        stepWaiters.push({ entries: target, resolve }),
      );
      running = await subscriptionsFeature.startWorkers!(ctx);
      await requestProjection(projections, TENANT);
      await projected;
    });
    const commands = diff(before, await commandStats(probe));
    for (const part of running) await part.close();
    return { phase, steps: steps.slice(from), commands };
  };

  /**
   * A checkout's receipt effect, committed (due now) and the drain nudged, as a checkout
   * transition does: how long it takes to reach its provider while events are delivered is how
   * long a checkout waits behind a fan-out. Returns when it was committed.
   */
  const checkouts = new CheckoutStore(ctx.redis, config.KEY_PREFIX, TENANT);
  const probeQueues = checkoutQueues(ctx.redis, config);
  const drainQueue = probeQueues.drain;
  const commitProbeReceipt = async (label: string) => {
    const committedAt = Date.now();
    const effect: OutboxEffect = {
      id: `probe-${label}-${randomUUID().slice(0, 8)}.receipt`,
      tenant: TENANT,
      kind: 'receipt',
      provider: 'receipt',
      method: 'POST',
      path: '/receipts',
      body: {
        checkoutId: `co_${label}`,
        orderId: `ord_${label}`,
        lines: [],
        total: { amount: 100, currency: 'EUR' },
      },
      correlationId: 'bench.probe',
      createdAtMs: committedAt,
    };
    await checkouts.commit({
      checkoutId: effect.id,
      expectedVersion: 0,
      doc: '{}',
      effects: [{ effect, dueMs: committedAt }],
      audit: { type: 'bench.probe' },
    });
    await nudgeOutboxDrain(drainQueue, TENANT);
    return committedAt;
  };
  /** Seconds from `committedAt` to the probe receipt's arrival (the first one after it). */
  const receiptWait = (committedAt: number) => {
    const arrived = receiver.receipts.find((at) => at >= committedAt);
    return arrived === undefined ? Number.NaN : (arrived - committedAt) / 1000;
  };

  /** Delivers every due event (the checkout workers), until the last is settled. */
  const deliver = async (events: number) => {
    const distinctBefore = receiver.distinct;
    const claimedBefore = claimed;
    // The events and the probe receipt.
    const settledTarget = (await probe.zcard(settledKey)) + events + 1;
    let running: Closable[] = [];
    const before = await commandStats(probe);
    // The bench's own ZCARDs, taken off what redis-server counted.
    let zcards = 0;
    let probeAt = 0;
    const phase = await measured(probe, events, async () => {
      running = [
        ...(await startCheckoutWorkers(ctx, endpoints)),
        ...(await startCheckoutSchedulers(ctx)),
      ];
      probeAt = await commitProbeReceipt('sequential');
      await until('events delivered', () => receiver.distinct, distinctBefore + events);
      await until(
        'events settled',
        () => {
          zcards += 1;
          return probe.zcard(settledKey);
        },
        settledTarget,
      );
    });
    const commands = diff(before, await commandStats(probe), zcards);
    for (const part of running.reverse()) await part.close();
    return {
      ...phase,
      commands,
      claimed: claimed - claimedBefore,
      receiptWaitSeconds: receiptWait(probeAt),
    };
  };

  /**
   * As in service: the change stream projected and the events delivered at the same time (the
   * projection holding back while the webhook queue is at DECISION_EVENT_QUEUE_HIGH_WATER), a
   * probe receipt committed as it starts, the outbox's pending entries sampled as it goes.
   */
  const projectAndDeliver = async (events: number) => {
    const distinctBefore = receiver.distinct;
    const claimedBefore = claimed;
    const settledTarget = (await probe.zcard(settledKey)) + events + 1;
    const heldBefore = await heldCount();
    let running: Closable[] = [];
    let peakPending = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakPending = Math.max(peakPending, await probe.zcard(dueKey));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let probeAt = 0;
    const phase = await measured(probe, events, async () => {
      running = [
        ...(await subscriptionsFeature.startWorkers!(ctx)),
        ...(await startCheckoutWorkers(ctx, endpoints)),
        ...(await startCheckoutSchedulers(ctx)),
      ];
      probeAt = await commitProbeReceipt('overlapped');
      await requestProjection(projections, TENANT);
      await until('events delivered', () => receiver.distinct, distinctBefore + events);
      await until('events settled', () => probe.zcard(settledKey), settledTarget);
    });
    sampling = false;
    await sampler;
    for (const part of running.reverse()) await part.close();
    return {
      ...phase,
      claimed: claimed - claimedBefore,
      receiptWaitSeconds: receiptWait(probeAt),
      peakPending,
      held: (await heldCount()) - heldBefore,
    };
  };
  const heldCount = async () =>
    (await ctx.metrics.decisionEvents.get()).values
      .filter((v) => v.labels.outcome === 'held')
      .reduce((sum, v) => sum + v.value, 0);

  const driver = await evaluationDriver(app);
  let catalogWorkers = await catalogFeature.startWorkers!(ctx);
  const evaluate = async (count: number) => {
    let evaluations = 0;
    const phase = await measured(probe, count, async () => {
      evaluations = (await driver.evaluate(TENANT, count)).evaluations;
    });
    return { ...phase, evaluations };
  };

  // Warm-up: a first evaluation of everything, then a small fan-out (its bodies feed the floor).
  const first = await evaluate(PRODUCTS);
  await subscribe();
  const warmProducts = catalog.products.slice(0, WARM);
  let sinceMs = Date.now();
  await putAll(reobserved(warmProducts, ctx.clock.nowMs()));
  await evaluate(WARM);
  const warmEvents = (await auditedPairs(warmProducts, sinceMs)).covered;
  await stopCatalogWorkers();
  const warmStream = await streamPairs();
  receiver.keep(Math.min(warmEvents, FLOOR_BODIES));
  await project(warmStream.entries, warmEvents);
  await deliver(warmEvents);
  const unix = Math.floor(Date.now() / 1000);
  const floorBodies = receiver.kept.map(({ path, body }) => ({
    path,
    body,
    unix: String(unix),
    signature: signWebhook(SECRET, unix, body),
  }));
  const floorBytes = floorBodies.reduce((sum, b) => sum + Buffer.byteLength(b.body), 0);

  // Evaluation rounds, alternating: A without subscriptions, B with.
  catalogWorkers = await catalogFeature.startWorkers!(ctx);
  type Round = Phase & { evaluations: number };
  const rounds: { without: Round[]; with: Round[] } = { without: [], with: [] };
  const order = Array.from({ length: ROUNDS }, (_, r) => (r % 2 === 0 ? 'AB' : 'BA')).join('');
  const lastB = order.lastIndexOf('B');
  let expected = { pairs: 0, covered: 0 };
  for (const [n, phase] of [...order].entries()) {
    if (phase === 'B') {
      await subscribe();
      // The stream keeps only this round's changes (the last round's are fanned out below):
      // the cursor moves past the earlier rounds' and the stream is trimmed to it, as a
      // projection leaves it (the cursor's own entry kept: without it the projector reports a
      // gap of lost entries).
      const [last] = await probe.xrevrange(streamKey, '+', '-', 'COUNT', 1);
      if (last !== undefined) {
        await probe.set(cursorKey, last[0]);
        await probe.xtrim(streamKey, 'MINID', last[0]);
      }
    } else await unsubscribe();
    await putAll(reobserved(catalog.products, ctx.clock.nowMs()));
    sinceMs = Date.now();
    const round = await evaluate(PRODUCTS);
    (phase === 'B' ? rounds.with : rounds.without).push(round);
    if (n === lastB) expected = await auditedPairs(catalog.products, sinceMs);
  }
  await stopCatalogWorkers();
  await subscribe();
  const stream = await streamPairs();
  if (stream.covered !== expected.covered)
    throw new Error(
      `the change stream lists ${stream.covered} covered pairs, the audit ${expected.covered}`,
    );
  const events = expected.covered;

  // The floor, warmed by a discarded loop, then before and after the fan-out.
  const floorLoop = async (count: number) => {
    const pool = new Pool(receiver.url, { connections: IN_FLIGHT });
    const run = randomUUID().slice(0, 8);
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < count) {
          const i = next++;
          const sample = floorBodies[i % floorBodies.length] as (typeof floorBodies)[number];
          const id = `floor-${run}-${i}`;
          const response = await pool.request({
            path: sample.path,
            method: 'POST',
            headers: {
              accept: 'application/json',
              'content-type': 'application/json',
              'idempotency-key': id,
              'x-correlation-id': 'decision-changes.floor',
              'webhook-id': id,
              'webhook-timestamp': sample.unix,
              'merchant-signature': sample.signature,
            },
            body: sample.body,
          });
          await response.body.text();
          if (response.statusCode !== 204) throw new Error(`floor got ${response.statusCode}`);
        }
      }),
    );
    await pool.close();
  };
  await floorLoop(Math.min(events, 20_000));
  const floorBefore = await measured(probe, events, () => floorLoop(events));

  // The I/O floor (the delivery's Redis keys and the same POSTs, without BullMQ, scripts or
  // logic), warmed by a discarded run, then before and after the fan-out like the raw floor.
  const ioFloor = deliveryIoFloor({
    redis: ctx.redis,
    key,
    url: receiver.url,
    bodies: floorBodies,
    inFlight: IN_FLIGHT,
    subscriptionsKey: key('subscriptions', 'products'),
  });
  const ioEvents = Math.min(events, IO_FLOOR_EVENTS);
  const ioFloorRun = async (count: number) => {
    await ioFloor.seed(count);
    const phase = await measured(probe, count, () => ioFloor.run());
    await ioFloor.clear();
    return phase;
  };
  await ioFloorRun(Math.min(ioEvents, 20_000));
  const ioFloorBefore = await ioFloorRun(ioEvents);

  // The fan-out: projection alone, then delivery.
  const bytesBefore = receiver.bytes;
  const acceptedBefore = receiver.accepted;
  const distinctBefore = receiver.distinct;
  const projection = await project(stream.entries, events);
  const projected = projection.steps.reduce((sum, s) => sum + s.events, 0);
  const coalesced = projection.steps.reduce((sum, s) => sum + s.coalesced, 0);
  const dueAfterProjection = await probe.zcard(dueKey);
  const delivery = await deliver(events);
  const distinct = receiver.distinct - distinctBefore;
  const posts = receiver.accepted - acceptedBefore;
  const eventBytes = (receiver.bytes - bytesBefore) / posts;
  const floorAfter = await measured(probe, events, () => floorLoop(events));
  const floor = floorBefore.perSecond >= floorAfter.perSecond ? floorBefore : floorAfter;
  const ioFloorAfter = await ioFloorRun(ioEvents);
  const ioFloorPhase =
    ioFloorBefore.perSecond >= ioFloorAfter.perSecond ? ioFloorBefore : ioFloorAfter;

  // As in service: one more round's changes, evaluated, then projected and delivered at once.
  catalogWorkers = await catalogFeature.startWorkers!(ctx);
  await putAll(reobserved(catalog.products, ctx.clock.nowMs()));
  sinceMs = Date.now();
  await evaluate(PRODUCTS);
  await stopCatalogWorkers();
  await driver.close();
  const burst = await auditedPairs(catalog.products, sinceMs);
  const burstStream = await streamPairs();
  if (burstStream.covered !== burst.covered)
    throw new Error(
      `the change stream lists ${burstStream.covered} covered pairs, the audit ${burst.covered}`,
    );
  const distinctBeforeBurst = receiver.distinct;
  const overlapped = await projectAndDeliver(burst.covered);

  // Report.
  const best = <T extends Phase>(list: readonly T[]) =>
    list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const without = best(rounds.without);
  const withSubs = best(rounds.with);
  const int = (n: number) => Math.round(n).toLocaleString('en');
  const cpu = (phase: Phase, per: string) =>
    `CPU/${per}: node ${phase.nodeUs.toFixed(0)} µs, redis ${phase.redisUs.toFixed(0)} µs`;
  const projectionSeconds = events / projection.phase.perSecond;
  const projectionRate = projection.phase.perSecond;
  const deliverySeconds = events / delivery.perSecond;
  const endToEnd = events / (projectionSeconds + deliverySeconds);
  const working = projection.steps.filter((s) => s.entries > 0);
  const stepMs = projection.steps.map((s) => s.ms);
  const stepSeconds = stepMs.reduce((a, b) => a + b, 0) / 1000;
  const contexts = config.EVALUATION_CONTEXTS.length;

  console.log(
    `fanout bench: ${int(PRODUCTS)} products × ${contexts} contexts over ${CATEGORIES} categories, ` +
      `${SUBSCRIPTIONS} subscriptions (each product covered by exactly one), one loopback subscriber verifying signatures`,
  );
  console.log(
    `  evaluation, every price and stock re-observed then evaluated through the jobs (best of ${ROUNDS} rounds each, alternating ${order})`,
  );
  for (const [label, list, bestOf] of [
    ['without subscriptions', rounds.without, without],
    ['with subscriptions   ', rounds.with, withSubs],
  ] as const) {
    console.log(
      `    ${label}  ${int(bestOf.perSecond).padStart(7)} products/s  ${cpu(bestOf, 'product')}` +
        `   (rounds ${list.map((r) => int(r.perSecond)).join(', ')}; ${int(bestOf.evaluations)} evaluations)`,
    );
  }
  console.log(
    `    ratio with / without   ${(withSubs.perSecond / without.perSecond).toFixed(2).padStart(7)}   (aim ≥ 0.90)`,
  );
  console.log(
    `    (the discarded first evaluation, every profile new: ${int(first.perSecond)} products/s, ${cpu(first, 'product')})`,
  );
  console.log(
    `  fan-out of the last round with subscriptions: ${int(events)} events = changed (product, context) pairs ` +
      `(audit ${int(expected.pairs)}, change stream ${int(stream.covered)} in ${int(stream.entries)} entries)`,
  );
  console.log(
    `    projection alone       ${int(projectionRate).padStart(7)} events/s in ${projectionSeconds.toFixed(2)} s   ${cpu(projection.phase, 'event')}`,
  );
  console.log(
    `      ${working.length} steps of ≤ ${Math.max(...working.map((s) => s.entries))} stream entries (and ${projection.steps.length - working.length} finding none): ` +
      `${stepSeconds.toFixed(2)} s in steps, largest ${Math.max(...stepMs).toFixed(0)} ms, ${int(projected / Math.max(1, working.length))} events a step; ` +
      `${int(projected)} events written, ${coalesced} coalesced, ${int(dueAfterProjection)} due in the outbox`,
  );
  console.log(
    `    delivery               ${int(delivery.perSecond).padStart(7)} events/s in ${deliverySeconds.toFixed(2)} s   ${cpu(delivery, 'event')}` +
      `   ratio to floor ${(delivery.perSecond / floor.perSecond).toFixed(2)}  (drain → gate → signed POST → settle)`,
  );
  console.log(
    `    projection + delivery  ${int(endToEnd).padStart(7)} events/s in ${(projectionSeconds + deliverySeconds).toFixed(2)} s` +
      `   ratio to floor ${(endToEnd / floor.perSecond).toFixed(2)}`,
  );
  console.log(
    `    delivery ÷ I/O floor   ${(delivery.perSecond / ioFloorPhase.perSecond).toFixed(2).padStart(7)}      ` +
      `(I/O floor ${int(ioFloorPhase.perSecond)} events/s over ${int(ioEvents)} events, before ${int(ioFloorBefore.perSecond)}, after ${int(ioFloorAfter.perSecond)}; ${cpu(ioFloorPhase, 'event')}: ` +
      `the delivery's Redis keys with plain commands and the same POSTs, no BullMQ, scripts or logic)`,
  );
  console.log(
    `    floor raw undici loop  ${int(floor.perSecond).padStart(7)} events/s   ${cpu(floor, 'event')}` +
      `   (before ${int(floorBefore.perSecond)}, after ${int(floorAfter.perSecond)}; ${IN_FLIGHT} in flight, ` +
      `${floorBodies.length} warm-up bodies of ${(floorBytes / floorBodies.length).toFixed(0)} B on average, the events ${eventBytes.toFixed(0)} B)`,
  );
  console.log(
    `    a checkout receipt committed as delivery began reached its provider after ${delivery.receiptWaitSeconds.toFixed(2)} s ` +
      `(due behind the ${int(events)} projected events)`,
  );
  console.log(
    `  as in service, another round's ${int(burst.covered)} events projected and delivered at once ` +
      `(projection held back while the webhook queue holds ${int(config.DECISION_EVENT_QUEUE_HIGH_WATER)} deliveries):`,
  );
  console.log(
    `    projection + delivery  ${int(overlapped.perSecond).padStart(7)} events/s in ${(burst.covered / overlapped.perSecond).toFixed(2)} s   ${cpu(overlapped, 'event')}` +
      `   ratio to floor ${(overlapped.perSecond / floor.perSecond).toFixed(2)}, to the I/O floor ${(overlapped.perSecond / ioFloorPhase.perSecond).toFixed(2)}`,
  );
  console.log(
    `    most entries pending in the outbox at once ${int(overlapped.peakPending)}; the projection held back ${int(overlapped.held)} times; ` +
      `the drain claimed ${int(overlapped.claimed)} effects (${(overlapped.claimed / burst.covered).toFixed(2)} per event); ` +
      `a checkout receipt committed as it began reached its provider after ${overlapped.receiptWaitSeconds.toFixed(2)} s`,
  );
  console.log(
    `  subscriber: ${int(distinct)} distinct Webhook-Ids of ${int(events)} expected, ${int(posts)} posts, ${receiver.badSignatures} bad signatures; ` +
      `the drain claimed ${int(delivery.claimed)} effects for them (OUTBOX_LEASE_MS ${int(config.OUTBOX_LEASE_MS)})`,
  );
  for (const [label, rows] of [
    ['projection', projection.commands],
    ['delivery', delivery.commands],
  ] as const) {
    const calls = rows.reduce((sum, row) => sum + row.calls, 0);
    console.log(
      `  redis-server per event, ${label} (scripts' inner calls too; usec of evalsha includes them): ${(calls / events).toFixed(2)} calls`,
    );
    for (const row of rows.slice(0, 10))
      console.log(
        `    ${row.name.padEnd(12)} ${(row.calls / events).toFixed(2).padStart(6)} calls ${(row.usec / events).toFixed(1).padStart(6)} µs` +
          `   (${int(row.calls)} calls, ${int(row.usec / row.calls)} µs a call)`,
      );
  }
  console.log(`  run took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (distinct !== events || receiver.badSignatures > 0)
    throw new Error('bench/fanout: the subscriber did not get exactly the events expected');
  if (receiver.distinct !== distinctBeforeBurst + burst.covered)
    throw new Error(
      'bench/fanout: the subscriber did not get exactly the events of the last burst',
    );

  await probe.quit();
  await probeQueues.close();
  await projections.close();
  await runtime.close();
  await ctx.close();
  await receiver.close();
  await rm(feedDir, { recursive: true, force: true });

  async function stopCatalogWorkers() {
    for (const worker of catalogWorkers) await worker.close();
    catalogWorkers = [];
  }
}

/** What redis-server executed between two commandstats reads, most time first. */
function diff(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  probeZcards = 0,
) {
  return (
    [...after]
      .map(([name, a]) => {
        const b = before.get(name) ?? { calls: 0, usec: 0 };
        const probe = name === 'zcard' ? probeZcards : 0;
        return { name, calls: a.calls - b.calls - probe, usec: a.usec - b.usec };
      })
      // INFO: the bench's probe (CPU and commandstats).
      .filter((row) => row.calls > 0 && row.name !== 'info')
      .sort((a, b) => b.usec - a.usec)
  );
}

const privateRedis = process.env.REDIS_URL
  ? undefined
  : await startPrivateRedis({ persistence: 'none' });
try {
  await main(process.env.REDIS_URL ?? (privateRedis?.url as string));
} finally {
  // Stopped on a failure too: a private redis-server must not outlive the bench.
  await privateRedis?.stop();
}
