import { readFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  decodeRendered,
  encodeRendered,
  itemText,
  keptText,
  PUBLISHED_AT,
  type RenderedEntry,
  renderKeyOf,
} from '../../feeds/feed-render-cache.js';
import { manualClock } from '../../src/clock.js';
import { toInstant } from '../../src/domain/index.js';
import type { FeedName } from '../../src/queues/catalog-queues.js';
import { tenantKeys } from '../../src/store/keys.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, listedProduct, readyProduct } from '../helpers/catalog-facts.js';

const START_MS = Date.parse('2026-06-28T09:00:00Z');
const IDS = Array.from({ length: 12 }, (_, i) => `CACHE-${String(i).padStart(2, '0')}`);
const FEEDS: FeedName[] = ['agent', 'acp', 'openai-flat'];

/**
 * A catalog evaluated at START_MS (no workers: nothing changes behind the test's back), with
 * ready products (inventory valid 60 s) and listed ones, so every feed has items, products it
 * leaves out and products it excludes.
 */
async function evaluatedCatalog(env: Record<string, string> = {}) {
  const clock = manualClock(START_MS);
  const t = await catalogTestContext(env, clock);
  onTestFinished(() => t.close());
  for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
  const stores = t.runtime.storesOf(TENANT);
  await stores.catalog.putProducts(
    IDS.map((id, i) =>
      i % 4 === 0
        ? listedProduct(id, START_MS)
        : readyProduct(id, START_MS, { inventoryTtlSeconds: 60 }),
    ),
  );
  await t.runtime.evaluation.evaluateBatch(stores, IDS, START_MS);
  return { t, clock, stores };
}

async function published(t: CatalogTestContext, feed: FeedName) {
  const outcome = await t.runtime.feeds.publish(TENANT, feed);
  const latest = await t.runtime.feeds.latest(TENANT, feed);
  if (latest === undefined) throw new Error(`no ${feed} feed`);
  return { outcome, manifest: latest.manifest, bytes: await readFile(latest.path) };
}

describe('the feed render cache', () => {
  it('copies every product on a publish after nothing changed, byte for byte', async () => {
    const { t } = await evaluatedCatalog();
    for (const feed of FEEDS) {
      const first = await published(t, feed);
      expect(first.outcome.fromCache).toBe(0);
      const second = await published(t, feed);
      expect(second.outcome.fromCache).toBe(IDS.length);
      expect(second.outcome.reevaluated).toBe(0);
      expect(second.bytes.equals(first.bytes)).toBe(true);
      expect(second.manifest.excluded).toEqual(first.manifest.excluded);
      expect(second.manifest.count).toBe(first.manifest.count);
    }
  });

  it('publishes what a publish without the cache publishes', async () => {
    const cached = await evaluatedCatalog();
    const plain = await evaluatedCatalog({ FEED_RENDER_CACHE: 'off' });
    for (const feed of FEEDS) {
      await published(cached.t, feed);
      const copied = await published(cached.t, feed);
      const rendered = await published(plain.t, feed);
      expect(rendered.outcome.fromCache).toBe(0);
      expect(copied.bytes.equals(rendered.bytes)).toBe(true);
    }
  });

  it("puts each publish's own time in a copied item", async () => {
    const { t, clock } = await evaluatedCatalog();
    await published(t, 'agent');
    clock.advance(30_000);
    const second = await published(t, 'agent');
    expect(second.outcome.fromCache).toBe(IDS.length);
    const items = second.bytes
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { publishedAt: string });
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.publishedAt).toBe(toInstant(START_MS + 30_000));
  });

  it('renders again a product whose facts changed, and says what the domain decides now', async () => {
    const { t, stores } = await evaluatedCatalog();
    await published(t, 'agent');
    const changed = IDS[1] as string;
    await stores.catalog.putProducts([
      { ...readyProduct(changed, START_MS, { inventoryTtlSeconds: 60 }), status: 'inactive' },
    ]);
    const second = await published(t, 'agent');
    expect(second.outcome.fromCache).toBe(IDS.length - 1);
    expect(second.outcome.reevaluated).toBe(1);
    const item = second.bytes
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { productId: string; actions: { discover: string } })
      .find((candidate) => candidate.productId === changed);
    expect(item?.actions.discover).toBe('blocked');
  });

  it('renders again what expired, and never copies an expired allowed', async () => {
    const { t, clock } = await evaluatedCatalog();
    await published(t, 'agent');
    clock.advance(61_000);
    const second = await published(t, 'agent');
    // The ready products' inventory expired: their items are decided again, not copied.
    expect(second.outcome.fromCache).toBe(IDS.filter((_, i) => i % 4 === 0).length);
    const expired = IDS.filter((_, i) => i % 4 !== 0);
    const items = second.bytes
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { productId: string; actions: { addToCart: string } })
      .filter((item) => expired.includes(item.productId));
    expect(items).toHaveLength(expired.length);
    for (const item of items) expect(item.actions.addToCart).toBe('requires_revalidation');
  });

  it('renders again every product a policy change can touch', async () => {
    const { t } = await evaluatedCatalog();
    await published(t, 'agent');
    const [policy] = coveringPolicies();
    if (policy === undefined) throw new Error('no policy');
    await t.runtime.catalog.putPolicy(TENANT, { ...policy, quoteable: !policy.quoteable });
    const second = await published(t, 'agent');
    expect(second.outcome.fromCache).toBe(0);
  });

  it('forgets a product that is gone, with its profiles', async () => {
    const { t, stores } = await evaluatedCatalog();
    await published(t, 'agent');
    const gone = IDS[2] as string;
    const key = tenantKeys(t.ctx.config.KEY_PREFIX, TENANT)('feed-render', 'agent');
    expect(await t.ctx.redis.hexists(key, gone)).toBe(1);
    expect(await stores.catalog.deleteProduct(gone)).toBe(true);
    // The evaluation job sees it gone and removes its profiles and its renderings.
    await t.runtime.evaluation.evaluateBatch(stores, [gone], START_MS);
    const second = await published(t, 'agent');
    expect(second.outcome.fromCache).toBe(IDS.length - 1);
    expect(await t.ctx.redis.hexists(key, gone)).toBe(0);
  });
});

describe('a kept rendering', () => {
  const entry: RenderedEntry = {
    currency: {
      factsFingerprint: 'f-print',
      policyFingerprint: 'p-print',
      category: 'bags\t"travel"',
      validUntilMs: 1_782_637_260_000,
      rulesetVersion: '2026-11-24.1',
    },
    renderKey: 'render-key',
    kind: 'item',
    payload: '{"title":"tab\there","q":"\\"quoted\\""}\tafter a tab',
    publishedAtOffsets: [3, 9],
  };

  it('reads back as it was written, tabs and quotes in its category and text included', () => {
    expect(decodeRendered(encodeRendered(entry))).toEqual(entry);
    const never = { ...entry, currency: { ...entry.currency, validUntilMs: null } };
    expect(decodeRendered(encodeRendered(never))).toEqual(never);
  });

  it('is not read from text that is not one', () => {
    expect(decodeRendered('not an entry')).toBeUndefined();
    expect(decodeRendered('a\tb\tc\td\te\tq\t\t"cat"\tpayload')).toBeUndefined();
  });

  it('belongs to one render: the feed, the context and the format settings', () => {
    const key = renderKeyOf('openai-flat', 'EU|consumer|agent', { seller: { name: 'A' } });
    expect(renderKeyOf('openai-flat', 'EU|consumer|agent', { seller: { name: 'A' } })).toBe(key);
    expect(renderKeyOf('openai-flat', 'EU|consumer|agent', { seller: { name: 'B' } })).not.toBe(
      key,
    );
    expect(renderKeyOf('agent', 'EU|consumer|agent', { seller: { name: 'A' } })).not.toBe(key);
    expect(renderKeyOf('openai-flat', 'EU|business|agent', { seller: { name: 'A' } })).not.toBe(
      key,
    );
  });

  it('keeps an item without its publish time and puts any time back where it was', () => {
    const rendered = `{"a":"${PUBLISHED_AT}","b":1,"c":"${PUBLISHED_AT}"}`;
    const kept = keptText(rendered);
    expect(kept.payload).not.toContain(PUBLISHED_AT);
    const when = '2026-06-28T09:00:30.000Z';
    expect(itemText({ ...entry, ...kept }, when)).toBe(rendered.replaceAll(PUBLISHED_AT, when));
  });
});
