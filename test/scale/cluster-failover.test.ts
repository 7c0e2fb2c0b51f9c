import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import type { CheckoutRecord, ProductFacts } from '../../src/domain/index.js';
import { factsFingerprint, isCurrent } from '../../src/services/evaluation-service.js';
import {
  type PrivateRedisCluster,
  startPrivateRedisCluster,
} from '../../src/store/private-redis-cluster.js';
import {
  TENANT as CATALOG_TENANT,
  type CatalogTestContext,
  catalogTestContext,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { buyBackpack } from '../helpers/checkout-flow.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';
import { keysMatching } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Issue 17: a master of a Redis Cluster goes away in the middle of checkout traffic and of
 * profile evaluation: the one that serves the tenant's slot, so its checkouts, outbox and
 * idempotency records, and its catalog, dirty set, claims and stored profiles are all on it; the
 * evaluation queue is put on that master too, so its jobs and locks move with the slot. While the
 * checkouts run, the merchant keeps changing prices and stock of a few hundred products in
 * batches, before, during and after the stop, and the evaluation worker keeps every product's
 * profile current in every evaluation context. The cluster is this file's own (three masters with
 * a replica each, every replica in sync before the test starts), so the test runs the same
 * whatever Redis the rest of the suite uses. The master is killed (SIGKILL, as a crash): the
 * cluster promotes its replica once the node timeout (1 s here) has passed. Redis replicates
 * asynchronously, so a write acknowledged in the instant before the crash could still be lost
 * with it; the agents' retries with the same idempotency keys are what make that safe, and
 * this test is where that is checked. FAILOVER_SIGNAL=SIGTERM stops it gently instead (Redis
 * lets the replica catch up before it exits).
 *
 * A job whose worker could not record its end while the slot moved (BullMQ retries that only on
 * the errors it takes for connection errors, and a cluster client's "Too many Cluster
 * redirections" or CLUSTERDOWN is not one) stays active until its lock expires (30 s) and a
 * stalled-job check (every 30 s) has seen it twice: only then is it run again. Until then the
 * tenant's next evaluation waits behind it (one at a time per tenant), and an outbox drain behind
 * its own. So what must be done by the end is waited for until RECOVERY_MS after the stop.
 */
/** How the master goes away: killed (SIGKILL); FAILOVER_SIGNAL=SIGTERM runs the gentler stop. */
const STOP_SIGNAL = process.env.FAILOVER_SIGNAL === 'SIGTERM' ? 'SIGTERM' : 'SIGKILL';
const CHECKOUTS = 30;
/** The tenant's catalog, and how many of its products each change of facts touches. */
const PRODUCTS = 300;
const ROUND_PRODUCTS = 30;
/** Changes of facts still sent once the slot has moved to the promoted replica. */
const ROUNDS_AFTER = 10;
/** BullMQ's lock (30 s) and two stalled-job checks (30 s apart), with room to spare. */
const RECOVERY_MS = 150_000;
/** How long closing the service may take once the traffic is over. */
const CLOSE_MS = 20_000;

type Phase = 'before' | 'during' | 'after';

interface SlotRange {
  from: number;
  to: number;
  master: string;
}

async function slotRanges(redis: Cluster): Promise<SlotRange[]> {
  const slots = await redis.cluster('SLOTS');
  return slots.map(([from, to, master]) => ({ from, to, master: `${master?.[0]}:${master?.[1]}` }));
}

/** The master serving the slot of `key` (a hash tag such as `{acme}` names the slot alone). */
async function masterOfKey(redis: Cluster, key: string): Promise<string> {
  const slot = (await redis.cluster('KEYSLOT', key)) as number;
  const range = (await slotRanges(redis)).find((r) => r.from <= slot && slot <= r.to);
  if (range === undefined) throw new Error(`no master serves slot ${slot}`);
  return range.master;
}

function masterOfTenant(redis: Cluster, tenant: string): Promise<string> {
  return masterOfKey(redis, `{${tenant}}`);
}

/** A queue hash tag whose slot `master` serves, so a queue group can be put on that master. */
async function tagServedBy(redis: Cluster, master: string, base: string): Promise<string> {
  for (let n = 0; n < 100; n++) {
    if ((await masterOfKey(redis, `{${base}-${n}}`)) === master) return `${base}-${n}`;
  }
  throw new Error(`no tag ${base}-0 … ${base}-99 is served by ${master}`);
}

/** An agent's way: a step that failed is sent again with the same idempotency keys. */
async function untilDone<T>(step: () => Promise<T>, failures: string[]): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      failures.push(String(error));
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Round `round`'s facts of a product: a new price, and out of stock every third round. */
function factsOf(id: string, round: number, nowMs: number): ProductFacts {
  const product = readyProduct(id, nowMs, { priceAmount: 1_000 + round });
  const inventory = product.inventory as NonNullable<ProductFacts['inventory']>;
  return round % 3 === 2
    ? { ...product, inventory: { ...inventory, status: 'out_of_stock' } }
    : product;
}

/**
 * The products that are not as they should be once evaluation has caught up, with why: the
 * stored facts are not the last the merchant wrote, or a context's stored profile is missing or
 * not current for those facts (ProfileService's test before it serves a stored profile). Read from
 * the stores directly: a read through ProfileService would queue the lagging products again.
 */
async function profileLag(
  t: CatalogTestContext,
  written: ReadonlyMap<string, ProductFacts>,
): Promise<Map<string, string>> {
  const stores = t.runtime.storesOf(TENANT);
  const ids = [...written.keys()];
  const [raws, policies, ...stored] = await Promise.all([
    stores.catalog.getProductsRaw(ids),
    t.runtime.evaluation.policyIndex(stores.catalog),
    ...t.runtime.evaluation.contextKeys.map((key) => stores.profiles.readRaw(key, ids)),
  ]);
  const nowMs = t.ctx.clock.nowMs();
  const lag = new Map<string, string>();
  ids.forEach((id, i) => {
    const raw = raws[i];
    if (raw === null || raw === undefined || raw !== JSON.stringify(written.get(id))) {
      lag.set(id, 'stored facts are not the last written');
      return;
    }
    const fingerprint = factsFingerprint(raw, t.runtime.evaluation.options);
    const policyFingerprint = policies.fingerprintFor((JSON.parse(raw) as ProductFacts).category);
    t.runtime.evaluation.contextKeys.forEach((key, k) => {
      const profile = stored[k]?.[i];
      if (lag.has(id)) return;
      if (profile === null || profile === undefined) lag.set(id, `no profile in ${key}`);
      else if (!isCurrent(JSON.parse(profile), fingerprint, policyFingerprint, nowMs))
        lag.set(id, `profile in ${key} not current`);
    });
  });
  return lag;
}

describe('when the master holding a tenant’s slot stops in the middle of checkout traffic and profile evaluation', () => {
  let cluster: PrivateRedisCluster;
  let h: CheckoutHarness;
  let t: CatalogTestContext;
  let victim: string;
  let evaluationTag: string;
  let final: CheckoutRecord[];
  let capturedAtStop: number;
  /** Products whose facts the traffic changed and whose profiles were current at the stop. */
  let evaluatedAtStop: number;
  const failures: string[] = [];
  const catalogFailures: string[] = [];
  /** The facts of every product as the merchant last wrote them, and in which round. */
  const written = new Map<string, ProductFacts>();
  const roundOf = new Map<string, number>();
  /** Changes of facts sent, by where the failover was when each began. */
  const rounds: Record<Phase, number> = { before: 0, during: 0, after: 0 };

  beforeAll(async () => {
    cluster = await startPrivateRedisCluster({ nodeTimeoutMs: 1_000 });
    // Should this worker exit before afterAll has stopped them, the nodes go with it.
    process.once('exit', () => cluster.kill());
    const redisEnv = {
      REDIS_URL: `redis://${cluster.nodes[0]}`,
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
    };
    h = await startCheckoutHarness({ env: { ...redisEnv, PROVIDER_REQUEST_TIMEOUT_MS: '2000' } });
    const redis = h.ctx.redis as Cluster;
    victim = await masterOfTenant(redis, TENANT);
    evaluationTag = await tagServedBy(redis, victim, 'failover-evaluation');
    t = await catalogTestContext({ ...redisEnv, QUEUE_HASH_TAGS: `evaluation=${evaluationTag}` });
    t.started.push(
      ...(await catalogFeature.startWorkers!(t.ctx)),
      ...(await catalogFeature.startSchedulers!(t.ctx)),
    );
    const ids = Array.from({ length: PRODUCTS }, (_, i) => `FO-${String(i).padStart(3, '0')}`);
    const record = (products: readonly ProductFacts[], round: number) => {
      for (const product of products) {
        written.set(product.id, product);
        roundOf.set(product.id, round);
      }
    };
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    const seed = ids.map((id) => factsOf(id, 0, t.ctx.clock.nowMs()));
    await t.runtime.catalog.putProducts(TENANT, seed);
    record(seed, 0);
    await waitFor(
      'the first profiles of the whole catalog',
      async () => ((await profileLag(t, written)).size === 0 ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 50 },
    );

    // The merchant's side: batch after batch of new prices and stock, each sent again until it
    // is stored, through the stop and until a few batches have gone to the promoted replica.
    const traffic: { phase: Phase; quit: boolean } = { phase: 'before', quit: false };
    const changing = (async () => {
      for (
        let round = 1;
        !traffic.quit && (traffic.phase !== 'after' || rounds.after < ROUNDS_AFTER);
        round++
      ) {
        // A batch counts as sent during the outage when any attempt of it was: with a quick
        // failover one batch, sent again and again, may span the whole outage; so may a single
        // attempt that the cluster client holds and retries until the replica is promoted.
        let phase = traffic.phase;
        const startedIn = traffic.phase;
        const from = ((round - 1) * ROUND_PRODUCTS) % PRODUCTS;
        const nowMs = t.ctx.clock.nowMs();
        const batch = ids.slice(from, from + ROUND_PRODUCTS).map((id) => factsOf(id, round, nowMs));
        await untilDone(() => {
          if (traffic.phase === 'during') phase = 'during';
          return t.runtime.catalog.putProducts(TENANT, batch);
        }, catalogFailures);
        if (traffic.phase !== startedIn) phase = 'during';
        record(batch, round);
        rounds[phase]++;
        // A merchant's feed sends a batch every few ms, not as fast as Redis takes them.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Handled here so a failure before it is awaited is not reported as unhandled.
    changing.catch(() => undefined);

    try {
      const buys = Array.from({ length: CHECKOUTS }, (_, i) =>
        untilDone(() => buyBackpack(h.service, TENANT, { key: `failover-${i}` }), failures),
      );
      // Stop it once money is moving (some captures done, others still on their way) and the
      // evaluation worker has caught up with some of the changed facts.
      const evaluatedChanges = async () => {
        const lag = await profileLag(t, written);
        return [...roundOf].filter(([id, round]) => round > 0 && !lag.has(id)).length;
      };
      await waitFor('the first captures and evaluations of changed facts', async () =>
        h.sandbox.payment.capturesByCheckout.size >= 3 &&
        rounds.before >= 3 &&
        (await evaluatedChanges()) > 0
          ? true
          : undefined,
      );
      capturedAtStop = h.sandbox.payment.capturesByCheckout.size;
      evaluatedAtStop = await evaluatedChanges();
      traffic.phase = 'during';
      await cluster.servers.get(Number(victim.split(':')[1]))?.stop(STOP_SIGNAL);
      const recoveryDeadline = Date.now() + RECOVERY_MS;
      const untilRecovered = () => Math.max(recoveryDeadline - Date.now(), 10_000);
      await waitFor(
        'the tenant’s slot on the promoted replica',
        async () => {
          try {
            return (await masterOfTenant(redis, TENANT)) !== victim ? true : undefined;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      traffic.phase = 'after';
      const checkoutIds = (await Promise.all(buys)).map((result) => result.checkout?.id as string);
      await changing;
      const stuck = async () => {
        const checkouts = await Promise.all(checkoutIds.map((id) => h.service.get(TENANT, id)));
        const states = new Map<string, number>();
        for (const c of checkouts)
          states.set(String(c?.state), (states.get(String(c?.state)) ?? 0) + 1);
        const counts = await h.outbox().countByStatus();
        const queues = await Promise.all(
          Object.entries(h.queues.delivery).map(
            async ([p, q]) => `${p}:${JSON.stringify(await q.getJobCounts())}`,
          ),
        );
        const drain = JSON.stringify(await h.queues.drain.getJobCounts());
        return `states ${JSON.stringify([...states])}; outbox ${JSON.stringify(counts)}; ${queues.join(' ')}; drain ${drain}`;
      };
      final = await waitFor(
        `${CHECKOUTS} checkouts completed with nothing pending`,
        async () => {
          // A read may fail while the slot moves: it is read again at the next look.
          try {
            const checkouts = await Promise.all(checkoutIds.map((id) => h.service.get(TENANT, id)));
            const counts = await h.outbox().countByStatus();
            return counts.pending === 0 && checkouts.every((c) => c?.state === 'completed')
              ? (checkouts as CheckoutRecord[])
              : undefined;
          } catch (error) {
            failures.push(String(error));
            return undefined;
          }
        },
        { timeoutMs: untilRecovered(), intervalMs: 200 },
      ).catch(async (error: unknown) => {
        // What the agents ran into is the first thing to read when this fails.
        throw new Error(
          `${String(error)}; ${await stuck()}; step failures seen: ${failures.slice(0, 5).join(' | ')}`,
        );
      });

      // Evaluation has caught up: nothing queued, dirty or claimed, every profile current.
      const evaluateQueue = t.runtime.queues.evaluate;
      const work = t.runtime.storesOf(TENANT).work;
      const look = async () => {
        const [counts, dirty, claimed, lag] = await Promise.all([
          evaluateQueue.getJobCounts(),
          work.dirtyCount(),
          keysMatching(t.ctx.redis, work.claimedKey('*')),
          profileLag(t, written),
        ]);
        const queued = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].reduce(
          (sum, state) => sum + (counts[state] ?? 0),
          0,
        );
        return { counts, queued, dirty, claimed, lag };
      };
      let last: Awaited<ReturnType<typeof look>> | undefined;
      await waitFor(
        'every stored profile current, nothing left to evaluate',
        async () => {
          try {
            last = await look();
          } catch (error) {
            catalogFailures.push(String(error));
            return undefined;
          }
          const { queued, dirty, claimed, lag } = last;
          return queued === 0 && dirty === 0 && claimed.length === 0 && lag.size === 0
            ? true
            : undefined;
        },
        { timeoutMs: untilRecovered(), intervalMs: 200 },
      ).catch((error: unknown) => {
        const lagging = [...(last?.lag ?? [])].slice(0, 5).map(([id, why]) => `${id}: ${why}`);
        throw new Error(
          `${String(error)}; evaluation queue ${JSON.stringify(last?.counts)}; dirty ` +
            `${last?.dirty}; claimed ${JSON.stringify(last?.claimed)}; ${last?.lag.size} ` +
            `products lagging, e.g. ${lagging.join(' | ')}; catalog failures seen: ` +
            `${catalogFailures.slice(0, 5).join(' | ')}`,
        );
      });
    } finally {
      traffic.quit = true;
    }
  }, 240_000);

  afterAll(async () => {
    // Closing after a failover sometimes hangs (about 1 run in 12: a BullMQ worker, once the idle
    // pull-catalog one, whose cluster connection never ends; README, Scaling, says so). That is
    // a shutdown defect, not what this file proves, and a process in production ends at its
    // shutdown deadline anyway; so a close still open after CLOSE_MS is named on stderr rather
    // than failing the run, and the cluster stops either way: when a hook times out vitest ends
    // this worker without an 'exit' event, and the nodes would outlive the run.
    const open = new Set<string>();
    const closeNamed = async (name: string, close: () => Promise<unknown>) => {
      open.add(name);
      await close();
      open.delete(name);
    };
    const closing = (async () => {
      if (t !== undefined) {
        await Promise.all(t.started.map((part) => closeNamed(part.name, () => part.close())));
        await closeNamed('catalog context', () => t.close());
      }
      if (h !== undefined) await closeNamed('checkout harness', () => h.close());
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), CLOSE_MS);
    });
    try {
      if ((await Promise.race([closing, deadline])) === 'hung')
        console.warn(`cluster-failover: not closed within ${CLOSE_MS} ms: ${[...open].join(', ')}`);
    } finally {
      clearTimeout(timer);
      closing.catch(() => undefined);
      await cluster?.stop();
    }
  }, CLOSE_MS + 15_000);

  it('stopped the master while checkouts were still on their way', () => {
    expect(capturedAtStop).toBeLessThan(CHECKOUTS);
  });

  it('kept the tenant’s catalog, its evaluation work and the evaluation queue on that master', async () => {
    expect(CATALOG_TENANT).toBe(TENANT);
    expect(t.runtime.storesOf(TENANT).catalog.tenant).toBe(TENANT);
    const redis = h.ctx.redis as Cluster;
    const tenantSlot = await redis.cluster('KEYSLOT', `{${TENANT}}`);
    const stores = t.runtime.storesOf(TENANT);
    const contextKey = t.runtime.evaluation.contextKeys[0] as string;
    for (const key of [
      stores.work.dirtyKey(),
      stores.work.claimedKey('1'),
      stores.profiles.profilesKey(contextKey),
    ]) {
      expect(await redis.cluster('KEYSLOT', key), key).toBe(tenantSlot);
    }
    // Its own slot, but served by the stopped master at the start (tagServedBy), as the tenant's.
    expect(t.runtime.queues.evaluate.opts.prefix).toBe(`{${evaluationTag}}`);
    expect(await masterOfKey(redis, `{${evaluationTag}}`)).toBe(
      await masterOfTenant(redis, TENANT),
    );
  });

  it('changed facts before, during and after the stop, evaluating them from before it', () => {
    expect(rounds.before).toBeGreaterThanOrEqual(3);
    expect(rounds.during).toBeGreaterThanOrEqual(1);
    expect(rounds.after).toBeGreaterThanOrEqual(ROUNDS_AFTER);
    expect(evaluatedAtStop).toBeGreaterThan(0);
  });

  it('moved the tenant’s slot to the promoted replica, with no restart of the service', async () => {
    const now = await masterOfTenant(h.ctx.redis as Cluster, TENANT);
    expect(now).not.toBe(victim);
    expect(cluster.nodes).toContain(now);
  });

  it('completed every checkout, capturing each exactly once', () => {
    expect(final).toHaveLength(CHECKOUTS);
    for (const checkout of final) {
      expect(h.sandbox.payment.capturesByCheckout.get(checkout.id), checkout.id).toBe(1);
      expect(checkout.payments[0]?.state).toBe('captured');
    }
  });

  it('issued one receipt per checkout and delivered every effect, none dead-lettered', async () => {
    const receipts = new Map<string, number>();
    for (const receipt of h.sandbox.receipt.receipts.values()) {
      receipts.set(receipt.checkoutId, (receipts.get(receipt.checkoutId) ?? 0) + 1);
    }
    for (const checkout of final) expect(receipts.get(checkout.id), checkout.id).toBe(1);
    expect((await h.outbox().listDead(1000)).total).toBe(0);
  });

  it('kept every product’s stored profile current in every context, for its latest facts', async () => {
    expect(written.size).toBe(PRODUCTS);
    expect(t.runtime.evaluation.contextKeys.length).toBeGreaterThan(1);
    expect([...(await profileLag(t, written))]).toEqual([]);
  });

  it('left no evaluation job failed for good', async () => {
    const queue = t.runtime.queues.evaluate;
    const failed = await queue.getFailed();
    expect(failed.map((job) => `${job.id}: ${job.failedReason}`)).toEqual([]);
    expect(await queue.getFailedCount()).toBe(0);
  });
});
