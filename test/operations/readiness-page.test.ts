import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import type { Feature } from '../../src/app/feature.js';
import { operationsFeature } from '../../src/app/operations.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import type { ProductFacts } from '../../src/domain/index.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

const COUNT = 130;
const idOf = (i: number) => `PG-${String(i).padStart(4, '0')}`;

/** Every third product inactive (blocked), every fifth out of stock, the rest ready in the EU. */
function productAt(i: number, nowMs: number): ProductFacts {
  const product = readyProduct(idOf(i), nowMs);
  if (i % 3 === 0) return { ...product, status: 'inactive' };
  if (i % 5 === 0)
    return { ...product, inventory: { ...product.inventory!, status: 'out_of_stock' } };
  return product;
}

/**
 * The readiness page as an operator's list: one row per product with the contexts as columns,
 * filtered by state and blocker code, searched by id prefix, paged by cursor, over the index
 * the evaluation keeps. Rendered HTML read through app.inject.
 */
describe('the readiness page list', () => {
  let t: CatalogTestContext;
  let app: App;
  const operator = { authorization: `Bearer ${DEMO_OPERATOR_TOKEN}` };
  const get = (query: string) =>
    app.inject({
      method: 'GET',
      url: `/admin/readiness?tenant=${TENANT}&${query}`,
      headers: operator,
    });
  const rowIds = (body: string) => {
    const table = body.slice(body.indexOf('<table id="products">'));
    return [...table.matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
  };
  const link = (body: string, rel: 'next' | 'prev') => {
    const href = new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(body)?.[1];
    return href?.replaceAll('&amp;', '&');
  };

  beforeAll(async () => {
    t = await catalogTestContext({ EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent' });
    const stores = t.runtime.storesOf(TENANT);
    // Returns and shipping, and warranty and cancellation alike: every domain quotable.
    const [returns] = coveringPolicies();
    for (const policy of [
      ...coveringPolicies(),
      { ...returns!, id: 'warranty-apparel', domain: 'warranty' as const },
      { ...returns!, id: 'cancellation-apparel', domain: 'cancellation' as const },
    ])
      await stores.catalog.putPolicy(policy);
    const nowMs = t.ctx.clock.nowMs();
    const ids = Array.from({ length: COUNT }, (_, i) => idOf(i));
    await stores.catalog.putProducts(ids.map((_, i) => productAt(i, nowMs)));
    await t.runtime.evaluation.evaluateBatch(stores, ids, nowMs);
    const features: Feature[] = [catalogFeature];
    app = await buildApp(t.ctx, [
      ...features,
      operationsFeature(() => features, readinessSourcesOf),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const blocked = Array.from({ length: COUNT }, (_, i) => i)
    .filter((i) => i % 3 === 0)
    .map(idOf);
  const outOfStock = Array.from({ length: COUNT }, (_, i) => i)
    .filter((i) => i % 3 !== 0 && i % 5 === 0)
    .map(idOf);

  it('lists one row per product, with a column per context, fifty to a page', async () => {
    const page = await get('');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<th>EU · consumer · agent</th><th>US · consumer · agent</th>');
    expect(rowIds(page.body)).toEqual(Array.from({ length: 50 }, (_, i) => idOf(i)));
    expect(page.body).toContain(`Products 1–50 of ${COUNT}`);
    expect(link(page.body, 'prev')).toBeUndefined();
  });

  it('pages forward by cursor to the end, and back again', async () => {
    const seen: (string | undefined)[] = [];
    let url: string | undefined = `/admin/readiness?tenant=${TENANT}`;
    let last = '';
    while (url !== undefined) {
      const page = await app.inject({ method: 'GET', url, headers: operator });
      seen.push(...rowIds(page.body));
      last = page.body;
      url = link(page.body, 'next');
    }
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => idOf(i)));
    expect(last).toContain(`Products 101–${COUNT} of ${COUNT}`);
    const back = await app.inject({
      method: 'GET',
      url: link(last, 'prev') as string,
      headers: operator,
    });
    expect(rowIds(back.body)).toEqual(Array.from({ length: 50 }, (_, i) => idOf(50 + i)));
    expect(back.body).toContain(`Products 51–100 of ${COUNT}`);
  });

  it('filters by state and by blocker code, with the counts kept by the jobs', async () => {
    const page = await get('state=blocked&limit=200');
    expect(rowIds(page.body)).toEqual(blocked);
    expect(page.body).toContain(`Blocked (${blocked.length})`);
    const stock = await get('blocker=OUT_OF_STOCK&state=&limit=200');
    expect(rowIds(stock.body)).toEqual(outOfStock);
    expect(stock.body).toContain(`OUT_OF_STOCK (${outOfStock.length})`);
    const none = await get('state=ready&blocker=OUT_OF_STOCK');
    expect(rowIds(none.body)).toEqual([]);
    expect(none.body).toContain('No product matches.');
  });

  it('searches by product id prefix within a filter', async () => {
    const page = await get('state=blocked&q=PG-01');
    expect(rowIds(page.body)).toEqual(blocked.filter((id) => id.startsWith('PG-01')));
  });

  it('shows each context in its own column, linking to the product detail', async () => {
    const page = await get('q=PG-0001');
    const row = /<tr><th scope="row">PG-0001<\/th>(.*?)<\/tr>/s.exec(page.body)?.[1] ?? '';
    // Every policy domain covers apparel everywhere: ready in the EU and in the US.
    expect([...row.matchAll(/class="badge (\w+)"/g)].map((m) => m[1])).toEqual(['ready', 'ready']);
    expect(row).toContain('product=PG-0001&amp;region=US&amp;buyerType=consumer&amp;channel=agent');
  });

  it('refuses an unknown state, blocker code or context with a 400 naming the allowed values', async () => {
    for (const query of [
      'state=almost',
      'blocker=NOPE',
      'context=MARS:consumer:agent',
      'limit=0',
    ]) {
      const page = await get(query);
      expect(page.statusCode, query).toBe(400);
    }
    const state = await get('state=almost');
    expect(state.body).toContain('partially_ready');
    const context = await get('context=MARS:consumer:agent');
    expect(context.body).toContain('EU:consumer:agent');
  });

  it('serves a favicon and a layout as wide as the window', async () => {
    const icon = await app.inject({ method: 'GET', url: '/favicon.ico' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    const page = await get('');
    expect(page.body).toContain('<link rel="icon" href="data:image/svg+xml,');
    expect(page.body).not.toMatch(/max-width:\s*1100px/);
  });
});
