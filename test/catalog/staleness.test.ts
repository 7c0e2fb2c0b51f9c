import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluateProfilesResult } from '../../jobs/evaluate-profiles.job.js';
import { catalogFeature } from '../../src/app/catalog.js';
import { decisionFor } from '../../src/domain/index.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  nextCompleted,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

describe('time-driven staleness', () => {
  describe('when an inventory fact with a 2-second TTL expires and nothing else happens', () => {
    let t: CatalogTestContext;

    beforeAll(async () => {
      t = await catalogTestContext();
      t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
      // No feed worker: the test publishes itself, and a debounced publish running at the same
      // time would hold the feed's lock and turn the test's publish into "busy".
      t.started.push(...(await catalogFeature.startSchedulers!(t.ctx)));
      for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    });
    afterAll(() => t.close());

    it('flips the stored profile and the next feed to requires_revalidation', async () => {
      const settled = nextCompleted<EvaluateProfilesResult>(
        t.events.evaluate,
        (r) => r.evaluations > 0,
      );
      const product = readyProduct('TTL-2S', t.ctx.clock.nowMs(), { inventoryTtlSeconds: 2 });
      await t.runtime.catalog.putProducts(TENANT, [product]);
      await settled;

      const before = await t.runtime.profiles.lookup(TENANT, 'TTL-2S', t.ctx.config.FEED_CONTEXT);
      expect(before.source).toBe('stored');
      expect(decisionFor(before.profile, 'prepare_checkout')?.result).toBe('allowed');
      const firstFeed = await t.runtime.feeds.publish(TENANT, 'agent');
      expect(firstFeed.busy).toBeFalsy();
      expect(firstFeed.manifest?.count).toBe(1);

      // No new input from here on: the sweep finds the profile due and re-evaluates it.
      const flipped = await nextCompleted<EvaluateProfilesResult>(
        t.events.evaluate,
        (r) => r.evaluations > 0,
        10_000,
      );
      expect(flipped.products).toBe(1);
      expect(t.ctx.clock.nowMs()).toBeGreaterThanOrEqual(
        Date.parse(product.inventory!.observedAt) + 2_000,
      );

      const after = await t.runtime.profiles.lookup(TENANT, 'TTL-2S', t.ctx.config.FEED_CONTEXT);
      expect(after.source).toBe('stored');
      expect(decisionFor(after.profile, 'add_to_cart')?.result).toBe('requires_revalidation');
      expect(decisionFor(after.profile, 'prepare_checkout')?.result).toBe('blocked');

      const feed = await t.runtime.feeds.publish(TENANT, 'agent');
      expect(feed.busy).toBeFalsy();
      expect(feed.reevaluated).toBe(0);
      const latest = await t.runtime.feeds.latest(TENANT, 'agent');
      const [item] = (await readFile(latest!.path, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(item.actions).toMatchObject({
        addToCart: 'requires_revalidation',
        prepareCheckout: 'blocked',
        delegatePayment: 'blocked',
      });
      expect(item.blockers).toContain('INVENTORY_STALE');

      const [entry] = await t.runtime.storesOf(TENANT).audit.history('TTL-2S', 1);
      const change = entry!.changes.find(
        (c) => c.context === 'EU|consumer|agent' && c.action === 'add_to_cart',
      );
      expect(change).toMatchObject({ previousResult: 'allowed', result: 'requires_revalidation' });
    });
  });
});
