import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { contextKey } from '../../src/domain/index.js';
import { TenantPolicies } from '../../src/services/evaluate-slice.js';
import { EvaluationThread } from '../../src/services/evaluation-threads.js';
import { ReadinessIndexStore } from '../../src/store/readiness-index.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, listedProduct, readyProduct } from '../helpers/catalog-facts.js';

const START_MS = Date.parse('2026-06-28T09:00:00Z');
const ids = Array.from({ length: 250 }, (_, i) => `THREAD-${String(i).padStart(4, '0')}`);
/** Ready products, and listed ones whose facts hold some actions back, so results vary. */
const products = ids.map((id, i) =>
  i % 3 === 0 ? listedProduct(id, START_MS) : readyProduct(id, START_MS),
);

/** Evaluates the catalog once at START_MS with the given EVALUATION_THREADS. */
async function evaluated(threads: '0' | '1'): Promise<CatalogTestContext> {
  const t = await catalogTestContext(
    { EVALUATION_THREADS: threads, EVALUATION_BATCH_SIZE: String(ids.length) },
    manualClock(START_MS),
  );
  for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
  const stores = t.runtime.storesOf(TENANT);
  await stores.catalog.putProducts(products);
  await t.runtime.evaluation.evaluateBatch(stores, ids, START_MS);
  return t;
}

describe('evaluation on an evaluation thread (EVALUATION_THREADS=1)', () => {
  let inline: CatalogTestContext;
  let threaded: CatalogTestContext;
  beforeAll(async () => {
    [inline, threaded] = await Promise.all([evaluated('0'), evaluated('1')]);
  });
  afterAll(async () => {
    await Promise.all([inline.close(), threaded.close()]);
  });

  it('writes byte for byte the profiles the main thread writes, in every context', async () => {
    for (const context of inline.ctx.config.EVALUATION_CONTEXTS) {
      const key = contextKey(context);
      const [mine, theirs] = (await Promise.all(
        [inline, threaded].map((t) => t.runtime.storesOf(TENANT).profiles.readRaw(key, ids)),
      )) as [(string | null)[], (string | null)[]];
      expect(theirs.filter((raw) => raw === null)).toEqual([]);
      expect(theirs).toEqual(mine);
    }
  });

  it('keeps the same readiness index and audit', async () => {
    const keys = inline.runtime.evaluation.contextKeys;
    const [mine, theirs] = await Promise.all(
      [inline, threaded].map((t) =>
        new ReadinessIndexStore(t.ctx.redis, t.ctx.config.KEY_PREFIX, TENANT).counts(keys),
      ),
    );
    expect(theirs).toEqual(mine);
    expect(theirs?.size).toBe(keys.length);
    for (const counts of theirs?.values() ?? []) {
      const { ready, partially_ready, blocked } = counts.states;
      expect(ready + partially_ready + blocked).toBe(ids.length);
    }
    const historyOf = (t: CatalogTestContext) =>
      t.runtime.storesOf(TENANT).audit.history(ids[0] as string, 5);
    const history = await historyOf(inline);
    const threadedHistory = await historyOf(threaded);
    expect(history.length).toBe(1);
    expect(threadedHistory.map((entry) => entry.changes)).toEqual(
      history.map((entry) => entry.changes),
    );
  });

  it('skips current profiles the same way when evaluated again', async () => {
    const again = (t: CatalogTestContext) =>
      t.runtime.evaluation.evaluateBatch(t.runtime.storesOf(TENANT), ids, START_MS + 1_000);
    const mine = await again(inline);
    const theirs = await again(threaded);
    expect(theirs).toEqual(mine);
    expect(theirs.skipped).toBe(ids.length * inline.runtime.evaluation.contextKeys.length);
  });
});

describe('an evaluation thread', () => {
  const settings: ConstructorParameters<typeof EvaluationThread>[0] = {
    contexts: [{ region: 'EU', buyerType: 'consumer', channel: 'agent' }],
    options: { requiredPolicyDomains: [] },
  };
  const thread = new EvaluationThread(settings);
  const policies = new TenantPolicies(1, coveringPolicies());
  afterAll(() => thread.close());

  it("rejects a slice it cannot evaluate with the thread's error, and goes on with the next", async () => {
    await expect(
      thread.evaluate(
        TENANT,
        policies,
        { ids: ['BAD'], raws: ['{not json'], previous: [[null]] },
        START_MS,
      ),
    ).rejects.toThrow(/evaluation thread: SyntaxError/);
    const product = readyProduct('GOOD', START_MS);
    const result = await thread.evaluate(
      TENANT,
      policies,
      { ids: ['GOOD'], raws: [JSON.stringify(product)], previous: [[null]] },
      START_MS,
    );
    expect(result.outcome.evaluations).toBe(1);
    expect([...result.commit.profiles.values()][0]?.get('GOOD')).toBeInstanceOf(Buffer);
  });

  it('fails the slices it holds when closed', async () => {
    const product = readyProduct('LATE', START_MS);
    const pending = thread.evaluate(
      TENANT,
      policies,
      { ids: ['LATE'], raws: [JSON.stringify(product)], previous: [[null]] },
      START_MS,
    );
    await thread.close();
    await expect(pending).rejects.toThrow(/evaluation thread/);
  });
});
