import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluateProfilesResult } from '../../jobs/evaluate-profiles.job.js';
import { catalogFeature } from '../../src/app/catalog.js';
import { contextKey, toInstant } from '../../src/domain/index.js';
import { decodeProfile } from '../../src/store/profile-codec.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  nextCompleted,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

describe('a burst of updates to one product', () => {
  let t: CatalogTestContext;
  const results: EvaluateProfilesResult[] = [];

  beforeAll(async () => {
    // The window must outlast the burst itself (100 sequential writes), even on a loaded CI
    // machine; how many windows a burst spans is what the coalescing bounds.
    t = await catalogTestContext({ EVALUATION_COALESCE_MS: '1000' });
    t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    t.events.evaluate.on('completed', ({ returnvalue }) =>
      results.push(returnvalue as unknown as EvaluateProfilesResult),
    );
  });
  afterAll(() => t.close());

  it('costs at most a few evaluations, and the last update wins', async () => {
    const baseMs = t.ctx.clock.nowMs();
    const lastObservedAt = toInstant(baseMs + 99);
    for (let i = 0; i < 100; i += 1) {
      await t.runtime.catalog.putProducts(TENANT, [
        readyProduct('BURST-1', baseMs, { priceAmount: 1000 + i, observedAtMs: baseMs + i }),
      ]);
    }
    // Wait, event by event, until the stored profile rests on the last update's price fact.
    const profiles = t.runtime.storesOf(TENANT).profiles;
    const key = contextKey(t.ctx.config.FEED_CONTEXT);
    const lastEvidence = `BURST-1/price@${lastObservedAt}`;
    for (;;) {
      const stored = await profiles.read(key, 'BURST-1');
      const profile = stored && decodeProfile('BURST-1', t.ctx.config.FEED_CONTEXT, stored);
      const compare = profile?.decisions.find((d) => d.action === 'compare');
      if (compare?.evidenceRefs.some((ref) => ref.id === lastEvidence)) break;
      await nextCompleted(t.events.evaluate, () => true, 10_000);
    }
    const evaluatedProducts = results.reduce((sum, r) => sum + r.products, 0);
    expect(evaluatedProducts).toBeGreaterThanOrEqual(1);
    expect(evaluatedProducts).toBeLessThanOrEqual(4);
  });
});
