import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature } from '../../src/app/feature.js';
import { subscriptionServiceOf, subscriptionsFeature } from '../../src/app/subscriptions.js';
import { COMMERCE_ACTIONS } from '../../src/domain/index.js';
import { buildApp } from '../../src/http/app.js';
import { subscriptionRoutes } from '../../src/http/routes/subscription-routes.js';
import type { App } from '../../src/http/types.js';
import {
  covers,
  type ProductSubscription,
  SubscriptionIndex,
} from '../../src/services/subscriptions/product-subscription.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  OTHER_AUTH,
  TENANT_AUTH,
} from '../helpers/catalog-app-context.js';

describe('/v1/subscriptions', () => {
  let t: CatalogTestContext;
  let app: App;
  let production: App;

  beforeAll(async () => {
    t = await catalogTestContext();
    app = await buildApp(t.ctx, [subscriptionsFeature]);
    // The same routes as production runs them: the outbound URL rules on.
    const asProduction: Feature = {
      name: 'subscriptions (production rules)',
      async tenantRoutes(scope, ctx) {
        await subscriptionRoutes(scope, subscriptionServiceOf(ctx), true);
      },
    };
    production = await buildApp(t.ctx, [asProduction]);
  });
  afterAll(async () => {
    await production.close();
    await app.close();
    await t.close();
  });

  const put = (id: string, body: unknown, server = app, headers = TENANT_AUTH) =>
    server.inject({
      method: 'PUT',
      url: `/v1/subscriptions/${id}`,
      headers,
      payload: body as object,
    });
  const get = (url: string, headers = TENANT_AUTH) => app.inject({ method: 'GET', url, headers });

  it('creates (201), then replaces (200) keeping createdAt, and reads it back', async () => {
    const created = await put('watch-backpacks', {
      url: 'http://127.0.0.1:9999/hooks',
      products: ['BACKPACK-1', 'BACKPACK-1', 'A-0'],
      contexts: ['EU:consumer:agent'],
      actions: ['add_to_cart', 'quote_policy'],
    });
    expect(created.statusCode).toBe(201);
    const first = created.json() as ProductSubscription;
    expect(first).toMatchObject({
      id: 'watch-backpacks',
      products: ['A-0', 'BACKPACK-1'],
      contexts: ['EU:consumer:agent'],
      actions: ['add_to_cart', 'quote_policy'],
      events: ['decision.changed'],
      changes: 'all',
    });
    const replaced = await put('watch-backpacks', {
      url: 'http://127.0.0.1:9999/hooks',
      events: ['decision.changed', 'decision.changed'],
      changes: 'results',
    });
    expect(replaced.statusCode).toBe(200);
    const second = replaced.json() as ProductSubscription;
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.products).toBeUndefined();
    expect(second.events).toEqual(['decision.changed']);
    expect(second.changes).toBe('results');
    expect((await get('/v1/subscriptions/watch-backpacks')).json()).toEqual(second);
  });

  it('lists the tenant’s subscriptions by id, and none of another tenant’s', async () => {
    await put('b-list', { url: 'http://localhost:9/b' });
    await put('a-list', { url: 'http://localhost:9/a' });
    const ids = (get: ProductSubscription[]) => get.map((s) => s.id);
    const listed = ids((await get('/v1/subscriptions')).json().subscriptions);
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining(['a-list', 'b-list']));
    expect((await get('/v1/subscriptions', OTHER_AUTH)).json().subscriptions).toEqual([]);
    expect((await get('/v1/subscriptions/a-list', OTHER_AUTH)).statusCode).toBe(404);
  });

  it('deletes (204), then answers 404 for it', async () => {
    await put('doomed', { url: 'http://localhost:9/x' });
    const gone = await app.inject({
      method: 'DELETE',
      url: '/v1/subscriptions/doomed',
      headers: TENANT_AUTH,
    });
    expect(gone.statusCode).toBe(204);
    expect((await get('/v1/subscriptions/doomed')).json()).toMatchObject({ code: 'NOT_FOUND' });
    const again = await app.inject({
      method: 'DELETE',
      url: '/v1/subscriptions/doomed',
      headers: TENANT_AUTH,
    });
    expect(again.statusCode).toBe(404);
  });

  it.each([
    ['no url', {}],
    ['a url that is not http(s)', { url: 'ftp://example.com/x' }],
    [
      'an unknown field (a misspelt filter would widen it)',
      { url: 'http://x.test/', categorys: ['a'] },
    ],
    ['an unknown action', { url: 'http://x.test/', actions: ['buy_now'] }],
    ['a context that is not REGION:buyerType:channel', { url: 'http://x.test/', contexts: ['EU'] }],
    ['a context not evaluated here', { url: 'http://x.test/', contexts: ['JP:consumer:agent'] }],
    ['an unknown event', { url: 'http://x.test/', events: ['price.changed'] }],
    ['an unknown kind of changes', { url: 'http://x.test/', changes: 'blockers' }],
    ['an empty filter list', { url: 'http://x.test/', products: [] }],
  ])('refuses %s with 400 in the error shape, storing nothing', async (_, body) => {
    const res = await put('refused', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400 });
    expect((await get('/v1/subscriptions/refused')).statusCode).toBe(404);
  });

  it('stores profile.expiring beside decision.changed, and refuses an event it does not know', async () => {
    const stored = await put('expiring', {
      url: 'http://x.test/',
      events: ['profile.expiring', 'decision.changed'],
    });
    expect(stored.statusCode).toBe(201);
    expect(stored.json()).toMatchObject({ events: ['decision.changed', 'profile.expiring'] });
    const unknown = await put('expired', { url: 'http://x.test/', events: ['profile.expired'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('events');
    expect((await get('/v1/subscriptions/expired')).statusCode).toBe(404);
  });

  it('refuses an id with characters outside letters, digits, _ and -', async () => {
    const res = await put('no%20spaces', { url: 'http://x.test/' });
    expect(res.statusCode).toBe(400);
  });

  describe('in production', () => {
    it.each([
      ['plain http', 'http://agent.example.com/hooks'],
      ['localhost', 'https://localhost/hooks'],
      ['a loopback address', 'https://127.0.0.1/hooks'],
      ['a private address', 'https://10.1.2.3/hooks'],
      ['a link-local address', 'https://169.254.169.254/latest'],
      ['an IPv6 loopback', 'https://[::1]/hooks'],
    ])('refuses %s', async (_, url) => {
      const res = await put('prod-refused', { url }, production);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/url/);
      expect((await get('/v1/subscriptions/prod-refused')).statusCode).toBe(404);
    });

    it('takes a public https URL', async () => {
      const res = await put('prod-ok', { url: 'https://agent.example.com/hooks' }, production);
      expect(res.statusCode).toBe(201);
    });
  });
});

describe('what a subscription covers', () => {
  const base: ProductSubscription = {
    id: 's',
    url: 'https://agent.example.com/',
    events: ['decision.changed'],
    createdAt: '2026-12-06T00:00:00.000Z',
    updatedAt: '2026-12-06T00:00:00.000Z',
  };
  const subject = fc.record({
    productId: fc.constantFrom('P-1', 'P-2', 'P-3'),
    category: fc.option(fc.constantFrom('bags', 'shoes'), { nil: undefined }),
    contextKey: fc.constantFrom('EU|consumer|agent', 'US|business|agent'),
    action: fc.constantFrom(...COMMERCE_ACTIONS),
  });
  const filters = fc.record(
    {
      products: fc.subarray(['P-1', 'P-2', 'P-3'], { minLength: 1 }),
      categories: fc.subarray(['bags', 'shoes'], { minLength: 1 }),
      contexts: fc.subarray(['EU:consumer:agent', 'US:business:agent'], { minLength: 1 }),
      actions: fc.subarray([...COMMERCE_ACTIONS], { minLength: 1 }),
    },
    { requiredKeys: [] },
  );

  it('is the whole catalog with no filter', () => {
    fc.assert(fc.property(subject, (d) => covers(base, d)));
  });

  it('is what every given filter allows, and nothing else', () => {
    fc.assert(
      fc.property(filters, subject, (f, d) => {
        const expected =
          (f.products === undefined || f.products.includes(d.productId)) &&
          (f.categories === undefined ||
            (d.category !== undefined && f.categories.includes(d.category))) &&
          (f.contexts === undefined || f.contexts.includes(d.contextKey.replaceAll('|', ':'))) &&
          (f.actions === undefined || f.actions.includes(d.action));
        expect(covers({ ...base, ...f }, d)).toBe(expected);
      }),
    );
  });

  it('is what the projection’s index finds, for many subscriptions at once', () => {
    fc.assert(
      fc.property(fc.array(filters, { maxLength: 8 }), subject, (all, d) => {
        const subscriptions = all.map((f, i) => ({ ...base, ...f, id: `s${i}` }));
        const found = new SubscriptionIndex(subscriptions)
          .covering(d.productId, d.category, d.contextKey)
          .filter(({ actions }) => actions === undefined || actions.has(d.action))
          .map(({ subscription }) => subscription.id)
          .sort();
        const expected = subscriptions
          .filter((subscription) => covers(subscription, d))
          .map(({ id }) => id)
          .sort();
        expect(found).toEqual(expected);
      }),
    );
  });
});
