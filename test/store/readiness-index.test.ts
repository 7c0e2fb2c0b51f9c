import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import { contextKey, type ProductFacts, READINESS_STATES } from '../../src/domain/index.js';
import { seededRandom } from '../../src/providers/sandbox/seeded-random.js';
import { readinessSetParts } from '../../src/store/catalog-layout.js';
import { tenantKeys } from '../../src/store/keys.js';
import { type StoredProfile, storedReadiness } from '../../src/store/profile-codec.js';
import { ReadinessIndexStore } from '../../src/store/readiness-index.js';
import { type CatalogTestContext, catalogTestContext } from '../helpers/catalog-app-context.js';
import { keysMatching } from '../helpers/redis.js';

const START_MS = Date.parse('2026-06-28T09:00:00Z');
const COUNT = 240;
const idOf = (i: number) => `R-${String(i).padStart(4, '0')}`;

/**
 * The readiness counters and sets are kept by the evaluation, never recomputed on read; after
 * any mix of first evaluations, state flips and removals they must equal a full recomputation
 * over the stored profiles (which only a test may afford).
 */
describe('the readiness index kept by the evaluation', () => {
  let t: CatalogTestContext;
  const indexOf = (tenant: string) =>
    new ReadinessIndexStore(t.ctx.redis, t.ctx.config.KEY_PREFIX, tenant);
  const templates = demoCatalog(START_MS).products;
  const productAt = (i: number): ProductFacts => {
    const template = templates[i % templates.length] as ProductFacts;
    return { ...template, id: idOf(i), sku: idOf(i) };
  };

  /** What the counters and sets should hold, from every stored profile of every context. */
  async function recomputed(tenant: string) {
    const counts = new Map<string, number>();
    const sets = new Map<string, string[]>();
    const add = (field: string, set: string[], id: string) => {
      counts.set(field, (counts.get(field) ?? 0) + 1);
      const key = tenantKeys(t.ctx.config.KEY_PREFIX, tenant)(...set);
      sets.set(key, [...(sets.get(key) ?? []), id].sort());
    };
    for (const key of t.runtime.evaluation.contextKeys) {
      const all = await t.ctx.redis.hgetall(t.runtime.storesOf(tenant).profiles.profilesKey(key));
      for (const [id, json] of Object.entries(all)) {
        const entry = storedReadiness(JSON.parse(json) as StoredProfile);
        add(`${key}/${entry.state}`, readinessSetParts(key, entry.state), id);
        for (const code of entry.codes)
          add(`${key}/${entry.state}/${code}`, readinessSetParts(key, entry.state, code), id);
      }
    }
    return { counts, sets };
  }

  async function expectIndexMatchesProfiles(tenant: string) {
    const expected = await recomputed(tenant);
    const contextKeys = t.runtime.evaluation.contextKeys;
    const counted = new Map<string, number>();
    for (const [key, counts] of await indexOf(tenant).counts(contextKeys)) {
      for (const [state, n] of Object.entries(counts.states))
        if (n > 0) counted.set(`${key}/${state}`, n);
      for (const [code, n] of counts.codes) counted.set(`${key}/${code}`, n);
    }
    // The page's code counts add partially ready and blocked together.
    const wanted = new Map<string, number>();
    for (const [field, n] of expected.counts) {
      const [key, state, code] = field.split('/') as [string, string, string?];
      const name = code === undefined ? `${key}/${state}` : `${key}/${code}`;
      wanted.set(name, (wanted.get(name) ?? 0) + n);
    }
    expect(new Map([...counted].sort())).toEqual(new Map([...wanted].sort()));
    const setKeys = await keysMatching(
      t.ctx.redis,
      `${t.ctx.config.KEY_PREFIX}:{${tenant}}:readiness:*|*`,
    );
    const actual = new Map<string, string[]>();
    for (const key of setKeys) actual.set(key, await t.ctx.redis.zrange(key, 0, -1));
    expect(new Map([...actual].sort())).toEqual(new Map([...expected.sets].sort()));
    return expected;
  }

  const evaluate = (tenant: string, ids: readonly string[], nowMs = START_MS) =>
    t.runtime.evaluation.evaluateBatch(t.runtime.storesOf(tenant), ids, nowMs);

  /** A tenant of this test alone, holding the demo policies and COUNT products, evaluated. */
  async function seeded(tenant: string): Promise<string[]> {
    const catalog = t.runtime.storesOf(tenant).catalog;
    for (const policy of demoCatalog(START_MS).policies) await catalog.putPolicy(policy);
    const ids = Array.from({ length: COUNT }, (_, i) => idOf(i));
    await catalog.putProducts(ids.map((_, i) => productAt(i)));
    await evaluate(tenant, ids);
    return ids;
  }

  beforeAll(async () => {
    t = await catalogTestContext();
  });
  afterAll(() => t.close());

  it('counts every product once per context after the first evaluation', async () => {
    await seeded('ri-first');
    const expected = await expectIndexMatchesProfiles('ri-first');
    for (const key of t.runtime.evaluation.contextKeys) {
      const total = READINESS_STATES.reduce(
        (sum, state) => sum + (expected.counts.get(`${key}/${state}`) ?? 0),
        0,
      );
      expect(total).toBe(COUNT);
    }
    const eu = (await indexOf('ri-first').counts(['EU|consumer|agent'])).get('EU|consumer|agent');
    // The demo's six templates: three ready, two partially ready, one blocked in the EU.
    expect(eu?.states).toEqual({
      ready: COUNT / 2,
      partially_ready: COUNT / 3,
      blocked: COUNT / 6,
    });
  });

  it('moves products between states when their facts change, and forgets removed ones', async () => {
    const tenant = 'ri-flips';
    await seeded(tenant);
    const random = seededRandom(9);
    const catalog = t.runtime.storesOf(tenant).catalog;
    for (let round = 0; round < 3; round += 1) {
      const touched: string[] = [];
      const changed: ProductFacts[] = [];
      for (let i = 0; i < COUNT; i += 1) {
        const roll = random();
        if (roll < 0.15) {
          const product = productAt(Math.floor(random() * COUNT));
          changed.push({ ...product, id: idOf(i), sku: idOf(i) });
          touched.push(idOf(i));
        } else if (roll < 0.2) {
          await catalog.deleteProduct(idOf(i));
          touched.push(idOf(i));
        }
      }
      await catalog.putProducts(changed);
      await evaluate(tenant, touched);
      await expectIndexMatchesProfiles(tenant);
    }
    // Time alone: two days later every price and stock fact is stale, so readiness flips wholesale.
    const remaining = await catalog.productIdsAfter('', COUNT * 2);
    await evaluate(tenant, remaining, START_MS + 2 * 86_400_000);
    const expected = await expectIndexMatchesProfiles(tenant);
    expect(expected.counts.get('EU|consumer|agent/ready') ?? 0).toBe(0);
  });

  it('counts a product once when its evaluation is applied twice, as a stalled job run again', async () => {
    const tenant = 'ri-twice';
    const ids = (await seeded(tenant)).slice(0, 40);
    const catalog = t.runtime.storesOf(tenant).catalog;
    // Flip them (inactive: blocked), then two evaluations that both read the old profiles.
    await catalog.putProducts(
      (await catalog.getProducts(ids)).map((p) => ({ ...(p as ProductFacts), status: 'inactive' })),
    );
    await Promise.all([evaluate(tenant, ids), evaluate(tenant, ids)]);
    await expectIndexMatchesProfiles(tenant);
  });

  it('lists a filter page by page, forward and back, and by id prefix', async () => {
    const tenant = 'ri-list';
    await seeded(tenant);
    const index = indexOf(tenant);
    const key = contextKey({ region: 'EU', buyerType: 'consumer', channel: 'agent' });
    const all = (await recomputed(tenant)).sets;
    const setIds = (state: string, code?: string) =>
      all.get(
        tenantKeys(t.ctx.config.KEY_PREFIX, tenant)(...readinessSetParts(key, state, code)),
      ) ?? [];
    const partial = setIds('partially_ready');
    expect(partial.length).toBeGreaterThan(20);

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await index.list({
        contextKey: key,
        state: 'partially_ready',
        limit: 7,
        ...(after ? { after } : {}),
      });
      expect(page.total).toBe(partial.length);
      expect(page.offset).toBe(seen.length);
      seen.push(...page.ids);
      if (!page.hasNext) break;
      after = page.ids.at(-1);
    }
    expect(seen).toEqual(partial);

    const back = await index.list({
      contextKey: key,
      state: 'partially_ready',
      limit: 7,
      before: partial[10] as string,
    });
    expect(back.ids).toEqual(partial.slice(3, 10));
    expect(back.offset).toBe(3);
    // Fewer than a page before the cursor: the first page, full.
    const start = await index.list({
      contextKey: key,
      state: 'partially_ready',
      limit: 7,
      before: partial[4] as string,
    });
    expect(start.ids).toEqual(partial.slice(0, 7));
    expect(start.offset).toBe(0);

    const prefix = 'R-01';
    const byPrefix = await index.list({
      contextKey: key,
      state: 'partially_ready',
      prefix,
      limit: 500,
    });
    expect(byPrefix.ids).toEqual(partial.filter((id) => id.startsWith(prefix)));
    expect(byPrefix.total).toBe(byPrefix.ids.length);

    // A code without a state reads the partially ready and the blocked sets together.
    const code = 'SHIPPING_POLICY_MISSING';
    const usKey = contextKey({ region: 'US', buyerType: 'consumer', channel: 'agent' });
    const usSets = [
      ...(all.get(
        tenantKeys(
          t.ctx.config.KEY_PREFIX,
          tenant,
        )(...readinessSetParts(usKey, 'partially_ready', code)),
      ) ?? []),
      ...(all.get(
        tenantKeys(t.ctx.config.KEY_PREFIX, tenant)(...readinessSetParts(usKey, 'blocked', code)),
      ) ?? []),
    ].sort();
    const byCode = await index.list({ contextKey: usKey, code, limit: 1000 });
    expect(byCode.ids).toEqual(usSets);
    expect(byCode.total).toBe(usSets.length);
  });
});
