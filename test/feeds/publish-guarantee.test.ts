import { readFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { decisionFor } from '../../src/domain/index.js';
import { catalogTestContext, TENANT } from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

const START_MS = Date.parse('2026-06-28T09:00:00Z');

/**
 * Each test gets its own clock and catalog context: a test that moves time or changes facts must
 * not decide what another one sees. FRESH-1 is evaluated at START_MS directly (no workers): the
 * stored profile says allowed, valid 60 s.
 */
async function storedFreshProfile() {
  const clock = manualClock(START_MS);
  const t = await catalogTestContext({}, clock);
  onTestFinished(() => t.close());
  for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
  const stores = t.runtime.storesOf(TENANT);
  await stores.catalog.putProducts([
    readyProduct('FRESH-1', START_MS, { inventoryTtlSeconds: 60 }),
  ]);
  await t.runtime.evaluation.evaluateBatch(stores, ['FRESH-1'], START_MS);
  return { t, clock };
}

describe('publishing never says more than the domain decides now', () => {
  it('serves the stored profile while it is valid', async () => {
    const { t } = await storedFreshProfile();
    const found = await t.runtime.profiles.lookup(TENANT, 'FRESH-1', t.ctx.config.FEED_CONTEXT);
    expect(found.source).toBe('stored');
    expect(decisionFor(found.profile, 'prepare_checkout')?.allowed).toBe(true);
  });

  describe('when the stored profile expired and no job has re-evaluated it yet', () => {
    it('re-evaluates at publish time and publishes requires_revalidation, never allowed', async () => {
      const { t, clock } = await storedFreshProfile();
      clock.advance(61_000);
      const outcome = await t.runtime.feeds.publish(TENANT, 'agent');
      expect(outcome.reevaluated).toBe(1);
      const latest = await t.runtime.feeds.latest(TENANT, 'agent');
      expect(latest?.manifest.version).toBe(outcome.manifest?.version);
      const [item] = (await readFile(latest!.path, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(item.actions.addToCart).toBe('requires_revalidation');
      expect(item.actions.prepareCheckout).toBe('blocked');

      const flat = await t.runtime.feeds.publish(TENANT, 'openai-flat');
      expect(flat.reevaluated).toBe(1);
    });

    it('re-evaluates on read through the profile service too', async () => {
      const { t, clock } = await storedFreshProfile();
      clock.advance(61_000);
      const found = await t.runtime.profiles.lookup(TENANT, 'FRESH-1', t.ctx.config.FEED_CONTEXT);
      expect(found.source).toBe('evaluated');
      expect(decisionFor(found.profile, 'prepare_checkout')?.allowed).toBe(false);
    });
  });

  describe('when facts changed after the profile was stored', () => {
    it('does not serve the stored profile', async () => {
      const { t, clock } = await storedFreshProfile();
      const nowMs = clock.nowMs();
      const stores = t.runtime.storesOf(TENANT);
      await stores.catalog.putProducts([readyProduct('FRESH-2', nowMs)]);
      await t.runtime.evaluation.evaluateBatch(stores, ['FRESH-2'], nowMs);
      await stores.catalog.putProducts([{ ...readyProduct('FRESH-2', nowMs), status: 'inactive' }]);
      const found = await t.runtime.profiles.lookup(TENANT, 'FRESH-2', t.ctx.config.FEED_CONTEXT);
      expect(found.source).toBe('evaluated');
      expect(decisionFor(found.profile, 'discover')?.allowed).toBe(false);
    });
  });
});
