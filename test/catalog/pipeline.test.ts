import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { EvaluateProfilesResult } from '../../jobs/evaluate-profiles.job.js';
import type { PublishFeedResult } from '../../jobs/publish-feed.job.js';
import { catalogFeature } from '../../src/app/catalog.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import type { FeedName } from '../../src/queues/catalog-queues.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  nextCompleted,
  TENANT,
  TENANT_TOKEN,
} from '../helpers/catalog-app-context.js';
import { openAiFlatRowProblems } from '../helpers/openai-flat-spec.js';
import { acpFeedValidator, specsAvailable } from '../helpers/specs.js';

const auth = { authorization: `Bearer ${TENANT_TOKEN}` };

/** Queues a publish and waits for one of that feed to complete (this one or a running one). */
async function publishAndWait(t: CatalogTestContext, feed: FeedName): Promise<PublishFeedResult> {
  const done = nextCompleted<PublishFeedResult>(
    t.events.publishFeed,
    (r) => r.feed === feed && r.version !== undefined,
  );
  await t.runtime.feeds.requestPublish(TENANT, feed, 'request', 0);
  return done;
}

/** A catalog context with the HTTP app and workers, the demo catalog ingested over HTTP. */
async function startPipeline(): Promise<{
  t: CatalogTestContext;
  app: App;
  close(): Promise<void>;
}> {
  const t = await catalogTestContext();
  const app = await buildApp(t.ctx, [catalogFeature, feedsFeature]);
  t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
  t.started.push(...(await feedsFeature.startWorkers!(t.ctx)));
  const { products, policies } = demoCatalog(t.ctx.clock.nowMs());
  for (const policy of policies) {
    const res = await app.inject({
      method: 'PUT',
      url: `/v1/policies/${policy.id}`,
      headers: auth,
      payload: policy,
    });
    expect(res.statusCode).toBe(202);
  }
  const settled = nextCompleted<EvaluateProfilesResult>(
    t.events.evaluate,
    (r) => r.remaining === 0 && r.products === products.length,
  );
  const res = await app.inject({
    method: 'POST',
    url: '/v1/products/batch',
    headers: auth,
    payload: { products },
  });
  expect(res.statusCode).toBe(202);
  await settled;
  return {
    t,
    app,
    async close() {
      await app.close();
      await t.close();
    },
  };
}

describe('ingest → evaluate → profile → feeds, end to end', () => {
  let t: CatalogTestContext;
  let app: App;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, app, close } = await startPipeline());
  });
  afterAll(() => close());

  it('stores a profile per product for every configured context', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/products/BAG-TRAVEL-42/profile?region=EU&buyerType=consumer&channel=agent',
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().source).toBe('stored');
    const results = Object.fromEntries(
      res
        .json()
        .profile.decisions.map((d: { action: string; policyDomain?: string; result: string }) => [
          d.policyDomain ? `${d.action}/${d.policyDomain}` : d.action,
          d.result,
        ]),
    );
    expect(results).toMatchObject({
      discover: 'allowed',
      compare: 'allowed',
      'quote_policy/returns': 'blocked',
      'quote_policy/shipping': 'allowed',
      'quote_policy/warranty': 'allowed',
      add_to_cart: 'requires_revalidation',
      prepare_checkout: 'blocked',
      delegate_payment: 'blocked',
    });
    const us = await app.inject({
      method: 'GET',
      url: '/v1/products/BAG-TRAVEL-42/profile?region=US&buyerType=business',
      headers: auth,
    });
    expect(us.json().source).toBe('stored');
  });

  it('keeps the audit of every first decision with its evidence', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/products/BAG-TRAVEL-42/audit',
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    const [entry] = res.json().entries;
    const prepare = entry.changes.find(
      (c: { context: string; action: string }) =>
        c.context === 'EU|consumer|agent' && c.action === 'prepare_checkout',
    );
    expect(prepare).toMatchObject({ result: 'blocked' });
    expect(prepare.blockers).toEqual(
      expect.arrayContaining(['RETURN_POLICY_MISSING', 'INVENTORY_STALE']),
    );
    expect(prepare.evidenceRefs).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'commercial_truth' })]),
    );
  });

  it("publishes the Travel Backpack's agent feed item as DESIGN.md has it", async () => {
    await publishAndWait(t, 'agent');
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/agent', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const items = res.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(items).toHaveLength(6);
    const backpack = items.find((item) => item.productId === 'BAG-TRAVEL-42');
    expect(backpack).toMatchObject({
      title: 'Travel Backpack',
      price: { amount: 12900, currency: 'EUR' },
      actions: {
        discover: 'allowed',
        compare: 'allowed',
        quotePolicy: 'blocked',
        addToCart: 'requires_revalidation',
        prepareCheckout: 'blocked',
        delegatePayment: 'blocked',
      },
      generatedClaimsStatus: 'pending_review',
    });
    expect(backpack.description).toBeUndefined();
    expect(res.body).not.toContain('lightest carry-on');
  });

  it('publishes an acp feed of the discoverable products', async () => {
    await publishAndWait(t, 'acp');
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/acp', headers: auth });
    expect(res.json().products.length).toBe(5); // the inactive scarf is not discoverable
  });

  it.skipIf(!specsAvailable)(
    'publishes an acp feed whose every product validates against the official schema',
    async () => {
      await publishAndWait(t, 'acp');
      const res = await app.inject({ method: 'GET', url: '/v1/feeds/acp', headers: auth });
      const validateResponse = acpFeedValidator('ProductsResponse');
      const validateProduct = acpFeedValidator('Product');
      const body = res.json();
      expect(validateResponse(body), JSON.stringify(validateResponse.errors)).toBe(true);
      for (const product of body.products)
        expect(validateProduct(product), JSON.stringify(validateProduct.errors)).toBe(true);
    },
  );

  it('publishes openai-flat as gzip jsonl: complete rows whose flags follow the decisions', async () => {
    await publishAndWait(t, 'openai-flat');
    const res = await app.inject({ method: 'GET', url: '/v1/feeds/openai-flat', headers: auth });
    expect(res.headers['content-type']).toBe('application/gzip');
    const lines = gunzipSync(res.rawPayload)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines) expect(openAiFlatRowProblems(line), line.item_id).toEqual([]);
    const flags = Object.fromEntries(
      lines.map((l) => [l.item_id, [l.is_eligible_search, l.is_eligible_checkout]]),
    );
    expect(flags).toEqual({
      'BEANIE-WOOL-5': [true, false],
      'JACKET-RAIN-7': [true, true],
      'SCARF-SILK-2': [false, false],
      'SOCKS-MERINO-3': [true, true],
      'TEE-CLASSIC-1': [true, true],
    });
    // The Travel Backpack's only description awaits review: left out, counted, not published bare.
    const list = await app.inject({ method: 'GET', url: '/v1/feeds', headers: auth });
    const manifest = list.json().feeds.find((m: { feed: string }) => m.feed === 'openai-flat');
    expect(manifest).toMatchObject({
      count: 5,
      excluded: {
        count: 1,
        reasons: { missing_description: 1 },
        productIds: ['BAG-TRAVEL-42'],
      },
    });
  });

  it('lists the published feeds with their manifests, and publishes on request', async () => {
    const published = nextCompleted<PublishFeedResult>(
      t.events.publishFeed,
      (r) => r.feed === 'agent' && r.version !== undefined,
    );
    const post = await app.inject({
      method: 'POST',
      url: '/v1/feeds/agent/publish',
      headers: auth,
    });
    expect(post.statusCode).toBe(202);
    const { version } = await published;
    const list = await app.inject({ method: 'GET', url: '/v1/feeds', headers: auth });
    const agent = list.json().feeds.find((m: { feed: string }) => m.feed === 'agent');
    expect(agent).toMatchObject({ feed: 'agent', version, count: 6 });
    expect(agent.sha256).toMatch(/^[0-9a-f]{64}$/);
    const unknown = await app.inject({ method: 'GET', url: '/v1/feeds/rss', headers: auth });
    expect(unknown.statusCode).toBe(404);
  });

  it('re-evaluates exactly the categories a policy change affects', async () => {
    // A pipeline of its own: the new policy would change what the other tests here read.
    const { t, app, close } = await startPipeline();
    onTestFinished(close);
    const settled = nextCompleted<EvaluateProfilesResult>(t.events.evaluate, (r) => r.products > 0);
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/policies/returns-travel',
      headers: auth,
      payload: {
        id: 'returns-travel',
        domain: 'returns',
        status: 'active',
        quoteable: true,
        appliesTo: {
          categories: ['travel-bags'],
          regions: ['*'],
          buyerTypes: ['*'],
          channels: ['*'],
        },
        validFrom: '2026-01-01T00:00:00Z',
        validTo: null,
        terms: { days: 14 },
        source: 'legal',
      },
    });
    expect(res.statusCode).toBe(202);
    const outcome = await settled;
    expect(outcome.products).toBe(1); // only the Travel Backpack is in travel-bags
    const profile = await t.runtime.profiles.lookup(
      TENANT,
      'BAG-TRAVEL-42',
      t.ctx.config.FEED_CONTEXT,
    );
    expect(profile.source).toBe('stored');
    const quote = profile.profile.decisions.find(
      (d) => d.action === 'quote_policy' && d.policyDomain === 'returns',
    );
    expect(quote?.result).toBe('allowed');
  });
});
