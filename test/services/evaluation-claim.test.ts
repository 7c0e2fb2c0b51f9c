import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { contextKey } from '../../src/domain/index.js';
import { COMMIT_SLICE } from '../../src/services/evaluation-service.js';
import { auditKeyParts } from '../../src/store/catalog-layout.js';
import { tenantKeys } from '../../src/store/keys.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

const START_MS = Date.parse('2026-06-28T09:00:00Z');
const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `SLICE-${String(from + i).padStart(4, '0')}`);

// A batch is written in slices of COMMIT_SLICE products, each settling its own part of the claim.
describe('a batch written in slices settles its claim slice by slice', () => {
  const clock = manualClock(START_MS);
  let t: CatalogTestContext;
  const all = ids(0, COMMIT_SLICE * 2 + 50);
  const fresh = ids(5_000, 5_000 + all.length);

  beforeAll(async () => {
    t = await catalogTestContext({ EVALUATION_BATCH_SIZE: String(all.length) }, clock);
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    await t.runtime
      .storesOf(TENANT)
      .catalog.putProducts([...all, ...fresh].map((id) => readyProduct(id, START_MS)));
  });
  afterAll(() => t.close());

  it('leaves no claim once every slice is written', async () => {
    const stores = t.runtime.storesOf(TENANT);
    await t.ctx.redis.del(stores.work.dirtyKey());
    await stores.work.markDirty(all);
    const claimed = await stores.work.claim('job-ok', all.length);
    expect(claimed.sort()).toEqual(all);
    const outcome = await t.runtime.evaluation.evaluateBatch(stores, claimed, START_MS, 'job-ok');
    expect(outcome.products).toBe(all.length);
    expect(await t.ctx.redis.exists(stores.work.claimedKey('job-ok'))).toBe(0);
    const key = contextKey(t.ctx.config.FEED_CONTEXT);
    const written = await stores.profiles.readRaw(key, all);
    expect(written.filter((raw) => raw === null)).toEqual([]);
  });

  it('after a failed slice, rejects and keeps claimed exactly the ids no slice wrote', async () => {
    const stores = t.runtime.storesOf(TENANT);
    // Never evaluated: every product gets a first audit entry.
    await t.ctx.redis.del(stores.work.dirtyKey());
    await stores.work.markDirty(fresh);
    const claimed = (await stores.work.claim('job-fails', fresh.length)).sort();
    expect(claimed).toEqual(fresh);
    // An audit key of the wrong type makes the second slice's MULTI fail (WRONGTYPE on XADD).
    const poisoned = claimed[COMMIT_SLICE + 1] as string;
    await t.ctx.redis.set(
      tenantKeys(t.ctx.config.KEY_PREFIX, TENANT)(...auditKeyParts(poisoned)),
      'x',
    );
    await expect(
      t.runtime.evaluation.evaluateBatch(stores, claimed, START_MS, 'job-fails'),
    ).rejects.toThrow(/WRONGTYPE/);
    // Whatever a slice wrote left the claim in the same MULTI (Redis does not roll back the
    // failed slice's other commands); whatever no slice wrote is still claimed for the retry.
    const left = new Set(await t.ctx.redis.smembers(stores.work.claimedKey('job-fails')));
    const key = contextKey(t.ctx.config.FEED_CONTEXT);
    const written = await stores.profiles.readRaw(key, claimed);
    claimed.forEach((id, i) => {
      expect({ id, claimed: left.has(id) }).toEqual({ id, claimed: written[i] === null });
    });
  });
});
