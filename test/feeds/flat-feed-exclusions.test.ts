import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedPublisher } from '../../feeds/feed-publisher.js';
import { feedFormats } from '../../feeds/formats.js';
import { DirectorySink } from '../../feeds/sinks/directory-sink.js';
import type { FeedManifest } from '../../feeds/sinks/feed-manifest.js';
import { DEMO_SELLER } from '../../src/demo/demo-seller.js';
import { FeedLockStore } from '../../src/store/feed-lock-store.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  OTHER_TENANT,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, listedProduct } from '../helpers/catalog-facts.js';
import { openAiFlatRowProblems } from '../helpers/openai-flat-spec.js';

class CrashBeforeManifest extends DirectorySink {
  override async swapManifest(_tenant: string, _manifest: FeedManifest): Promise<void> {
    throw new Error('simulated crash between the feed file and the manifest');
  }
}

describe('openai-flat leaves incomplete products out and counts them', () => {
  let t: CatalogTestContext;

  beforeAll(async () => {
    t = await catalogTestContext();
    const nowMs = t.ctx.clock.nowMs();
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    const { imageUrl: _i, ...noImage } = listedProduct('FLAT-NOIMG', nowMs);
    const { imageUrl: _j, brand: _b, ...noBrandNoImage } = listedProduct('FLAT-NOBRAND', nowMs);
    await t.runtime
      .storesOf(TENANT)
      .catalog.putProducts([listedProduct('FLAT-OK', nowMs), noImage, noBrandNoImage]);
  });
  afterAll(() => t.close());

  it('publishes only the complete row, each line meeting the reference', async () => {
    const outcome = await t.runtime.feeds.publish(TENANT, 'openai-flat');
    const latest = await t.runtime.feeds.latest(TENANT, 'openai-flat');
    expect(latest?.manifest.version).toBe(outcome.manifest?.version);
    const bytes = await readFile(latest!.path);
    const lines = gunzipSync(bytes)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.item_id)).toEqual(['FLAT-OK']);
    for (const line of lines) expect(openAiFlatRowProblems(line)).toEqual([]);
    expect(lines[0]).toMatchObject({ seller_name: DEMO_SELLER.name, is_eligible_checkout: true });

    // The manifest describes exactly the file it names, and why the others are not in it.
    expect(latest!.manifest).toMatchObject({
      count: 1,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      excluded: {
        count: 2,
        reasons: { missing_image_url: 2, missing_brand: 1 },
        productIds: ['FLAT-NOBRAND', 'FLAT-NOIMG'],
      },
    });
  });

  it('excludes nothing from the agent feed, which requires none of it', async () => {
    const outcome = await t.runtime.feeds.publish(TENANT, 'agent');
    expect(outcome.manifest).toMatchObject({
      count: 3,
      excluded: { count: 0, reasons: {}, productIds: [] },
    });
  });

  describe('when a publish dies before its manifest is swapped in', () => {
    it('keeps the previous manifest, exclusions and all', async () => {
      // Its own tenant, so the other tests' catalog and feeds stay as they expect.
      const nowMs = t.ctx.clock.nowMs();
      const catalog = t.runtime.storesOf(OTHER_TENANT).catalog;
      for (const policy of coveringPolicies())
        await t.runtime.catalog.putPolicy(OTHER_TENANT, policy);
      const { imageUrl: _i, ...noImage } = listedProduct('CRASH-NOIMG', nowMs);
      await catalog.putProducts([listedProduct('CRASH-OK', nowMs), noImage]);
      const before = await t.runtime.feeds.publish(OTHER_TENANT, 'openai-flat');
      expect(before.manifest?.excluded).toEqual({
        count: 1,
        reasons: { missing_image_url: 1 },
        productIds: ['CRASH-NOIMG'],
      });

      // The missing image arrives; the publish that would list the product crashes.
      await catalog.putProducts([listedProduct('CRASH-NOIMG', nowMs)]);
      const crashing = new FeedPublisher(
        { context: t.ctx.config.FEED_CONTEXT, pageSize: 100, debounceMs: 0, lockTtlMs: 60_000 },
        feedFormats({ seller: DEMO_SELLER }),
        (tenant) => t.runtime.storesOf(tenant).catalog,
        t.runtime.profiles,
        new CrashBeforeManifest(t.ctx.config.FEED_DIR, 3),
        undefined,
        new FeedLockStore(t.ctx.redis, t.ctx.config.KEY_PREFIX),
        t.runtime.queues.publishFeed,
        t.ctx.clock,
        t.ctx.logger,
      );
      await expect(crashing.publish(OTHER_TENANT, 'openai-flat')).rejects.toThrow(
        /simulated crash/,
      );
      const after = await t.runtime.feeds.latest(OTHER_TENANT, 'openai-flat');
      expect(after?.manifest).toEqual(before.manifest);

      // The next publish lists it and excludes nothing.
      const next = await t.runtime.feeds.publish(OTHER_TENANT, 'openai-flat');
      expect(next.manifest).toMatchObject({ count: 2, excluded: { count: 0, reasons: {} } });
    });
  });
});
