import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpFeature } from '../../src/app/acp.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  OTHER_AUTH,
  OTHER_TENANT,
  OTHER_TOKEN,
  TENANT,
  TENANT_AUTH,
  TENANT_TOKEN,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { specPath, specsAvailable } from '../helpers/specs.js';

/** A tenant of its own for the walk that spans a publish (tests run in random order). */
const THIRD = 'initech';
const THIRD_TOKEN = 'initech-token-0123456789abcdef';
const THIRD_AUTH = { authorization: `Bearer ${THIRD_TOKEN}` };

type Def = 'FeedMetadata' | 'ProductsResponse' | 'Error';
interface ProductsBody {
  products: { id: string; title: string }[];
}

/** Product ids in catalog order; titles with what a naive scanner would trip on. */
const IDS = ['P-01', 'P-02', 'P-03', 'P-04', 'P-05', 'P-06', 'P-07'];
const TITLES: Record<string, string> = {
  'P-02': 'Brace { yourself } [now]',
  'P-03': 'Quote " and backslash \\ and "}" too',
  'P-05': 'Ünïcödé ✓ 😀',
};

describe('ACP Feed API (read side)', () => {
  let t: CatalogTestContext;
  let app: App;

  const get = async (url: string, headers: Record<string, string> = TENANT_AUTH) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return res;
  };
  /** The body, asserted to be the official 2026-04-17 feed schema's `def`. */
  const keep = (def: Def, _what: string, body: unknown) => {
    expectAcp2026('feed', def, body);
    return body;
  };
  const putProducts = (ids: readonly string[], tenant = TENANT) => {
    const nowMs = t.ctx.clock.nowMs();
    return t.runtime
      .storesOf(tenant)
      .catalog.putProducts(
        ids.map((id) => ({ ...readyProduct(id, nowMs), title: TITLES[id] ?? `Product ${id}` })),
      );
  };

  beforeAll(async () => {
    t = await catalogTestContext({
      FEED_TARGET_COUNTRIES: 'DE',
      AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN},${OTHER_TENANT}:${OTHER_TOKEN},${THIRD}:${THIRD_TOKEN}`,
    });
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(THIRD, policy);
    app = await buildApp(t.ctx, [acpFeature]);
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    await putProducts(IDS);
    await t.runtime.feeds.publish(TENANT, 'acp');
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  /** Follows `rel="next"` from `first` to the end; every page kept for the schema check. */
  const walk = async (first: string, auth = TENANT_AUTH) => {
    const ids: string[] = [];
    let url: string | undefined = first;
    let pages = 0;
    while (url !== undefined) {
      const res = await get(url, auth);
      expect(res.statusCode).toBe(200);
      const body = keep('ProductsResponse', url, res.json()) as ProductsBody;
      ids.push(...body.products.map((product) => product.id));
      const link = res.headers.link as string | undefined;
      url = link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      if (link !== undefined) expect(url).toBeDefined();
      pages += 1;
    }
    return { ids, pages };
  };

  describe('GET /feeds/{id}', () => {
    it('answers FeedMetadata of the published acp feed with its ETag', async () => {
      const res = await get('/feeds/acp');
      expect(res.statusCode).toBe(200);
      const body = keep('FeedMetadata', 'getFeed', res.json()) as Record<string, string>;
      const manifest = (await t.runtime.feeds.latest(TENANT, 'acp'))?.manifest;
      expect(body).toEqual({
        id: 'acp',
        target_country: 'DE',
        updated_at: manifest?.generatedAt,
      });
      expect(res.headers.etag).toBe(`"${manifest?.sha256}"`);
      expect(res.headers['cache-control']).toBe('private, no-cache');
    });

    it('answers 304 without a body for the current ETag', async () => {
      const first = await get('/feeds/acp');
      const again = await get('/feeds/acp', {
        ...TENANT_AUTH,
        'if-none-match': first.headers.etag as string,
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });

    it('answers an unknown feed with the spec 404', async () => {
      const res = await get('/feeds/feed_8f3K2x');
      expect(res.statusCode).toBe(404);
      expect(keep('Error', 'unknown feed', res.json())).toEqual({
        type: 'invalid_request',
        code: 'feed_not_found',
        message: 'Feed not found',
        param: 'id',
      });
    });

    it('answers 404 to a tenant that has not published the feed, never another tenant’s', async () => {
      const res = await get('/feeds/acp', OTHER_AUTH);
      expect(res.statusCode).toBe(404);
      expect(keep('Error', 'other tenant', res.json())).toMatchObject({ code: 'feed_not_found' });
      const products = await get('/feeds/acp/products?limit=2', OTHER_AUTH);
      expect(products.statusCode).toBe(404);
      keep('Error', 'other tenant products', products.json());
    });

    it('refuses a request without a tenant bearer token with 401', async () => {
      const res = await get('/feeds/acp', {});
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="acp"');
      expect(keep('Error', '401', res.json())).toMatchObject({ code: 'unauthorized' });
    });

    it('needs no API-Version header (the Feed API defines none)', async () => {
      const res = await get('/feeds/acp', { ...TENANT_AUTH, 'api-version': '1999-01-01' });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('GET /feeds', () => {
    it('lists the tenant’s published feed as FeedMetadata', async () => {
      const res = await get('/feeds');
      expect(res.statusCode).toBe(200);
      const { feeds } = res.json() as { feeds: unknown[] };
      expect(feeds).toEqual([(await get('/feeds/acp')).json()]);
      for (const feed of feeds) keep('FeedMetadata', 'list item', feed);
      expect((await get('/feeds', OTHER_AUTH)).json()).toEqual({ feeds: [] });
    });
  });

  describe('GET /feeds/{id}/products', () => {
    it('answers the full product set as published when no page is asked for', async () => {
      const res = await get('/feeds/acp/products');
      expect(res.statusCode).toBe(200);
      expect(res.headers.link).toBeUndefined();
      const body = keep('ProductsResponse', 'full', res.json()) as ProductsBody;
      expect(body.products.map((product) => product.id)).toEqual(IDS);
      expect(body.products[2]?.title).toBe(TITLES['P-03']);
      const manifest = (await t.runtime.feeds.latest(TENANT, 'acp'))?.manifest;
      expect(res.headers.etag).toBe(`"${manifest?.sha256}"`);
    });

    it.each([1, 2, 3, 7, 50])(
      'pages with limit=%i: following rel="next" yields every product once, in order',
      async (limit) => {
        const { ids, pages } = await walk(`/feeds/acp/products?limit=${limit}`);
        expect(ids).toEqual(IDS);
        expect(pages).toBe(Math.max(1, Math.ceil(IDS.length / limit)));
      },
    );

    it('gives each page the same products the full set has, byte for byte', async () => {
      const full = (await get('/feeds/acp/products')).json() as ProductsBody;
      const page = (await get('/feeds/acp/products?limit=3')).json() as ProductsBody;
      expect(page.products).toEqual(full.products.slice(0, 3));
    });

    it('answers 304 for a page whose ETag the client holds', async () => {
      const first = await get('/feeds/acp/products?limit=2');
      const again = await get('/feeds/acp/products?limit=2', {
        ...TENANT_AUTH,
        'if-none-match': first.headers.etag as string,
      });
      expect(again.statusCode).toBe(304);
      expect(again.headers.link).toBe(first.headers.link);
      const other = await get('/feeds/acp/products?limit=3', {
        ...TENANT_AUTH,
        'if-none-match': first.headers.etag as string,
      });
      expect(other.statusCode).toBe(200);
    });

    it('carries a walk across a publish on from the last product it saw', async () => {
      await putProducts(IDS, THIRD);
      await t.runtime.feeds.publish(THIRD, 'acp');
      const first = await get('/feeds/acp/products?limit=3', THIRD_AUTH);
      const next = /^<([^>]+)>/.exec(first.headers.link as string)?.[1] as string;
      // P-00 sorts before the cursor (not repeated), P-035 after it (met on the way on).
      await putProducts(['P-00', 'P-035'], THIRD);
      await t.runtime.feeds.publish(THIRD, 'acp');
      const rest = await walk(next, THIRD_AUTH);
      const seen = [
        ...(first.json() as ProductsBody).products.map((product) => product.id),
        ...rest.ids,
      ];
      expect(seen).toEqual(['P-01', 'P-02', 'P-03', 'P-035', 'P-04', 'P-05', 'P-06', 'P-07']);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=two', 'limit'],
    ])('refuses %s with 400 naming the parameter', async (query, name) => {
      const res = await get(`/feeds/acp/products?${query}`);
      expect(res.statusCode).toBe(400);
      const body = keep('Error', query, res.json()) as { param: string };
      expect(body).toMatchObject({ type: 'invalid_request' });
      expect(body.param).toContain(name);
    });

    it('refuses a cursor it did not issue with 400 invalid_cursor', async () => {
      const res = await get('/feeds/acp/products?cursor=not-ours');
      expect(res.statusCode).toBe(400);
      expect(keep('Error', 'cursor', res.json())).toMatchObject({
        code: 'invalid_cursor',
        param: 'cursor',
      });
    });
  });

  describe('the spec’s writes', () => {
    it.each([
      ['POST', '/feeds', { target_country: 'US' }],
      ['PATCH', '/feeds/acp/products', { products: [] }],
    ] as const)('answers %s %s with 405 and Allow: GET', async (method, url, payload) => {
      const res = await app.inject({ method, url, payload, headers: TENANT_AUTH });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(keep('Error', `${method} ${url}`, res.json())).toMatchObject({
        type: 'invalid_request',
        code: 'method_not_allowed',
      });
    });
  });

  describe.skipIf(!specsAvailable)('the spec’s feed examples (examples.feed.json)', () => {
    const examples = () =>
      JSON.parse(
        readFileSync(specPath('acp/examples/2026-04-17/examples.feed.json'), 'utf8'),
      ) as Record<string, Record<string, unknown>>;
    /** Each example, the request that answers (or sends) it here, and what it must show. */
    const FLOWS: Record<string, () => Promise<void>> = {
      get_feed_response: async () => {
        const body = keep('FeedMetadata', 'getFeed', (await get('/feeds/acp')).json());
        expect(Object.keys(body as object).sort()).toEqual(
          Object.keys(examples().get_feed_response as object).sort(),
        );
      },
      create_feed_response: async () => {
        // What a created feed looks like is the published feed's metadata here.
        keep('FeedMetadata', 'example', examples().create_feed_response);
        keep('FeedMetadata', 'getFeed', (await get('/feeds/acp')).json());
      },
      get_products_response: async () => {
        keep('ProductsResponse', 'example', examples().get_products_response);
        const body = keep(
          'ProductsResponse',
          'getFeedProducts',
          (await get('/feeds/acp/products')).json(),
        ) as ProductsBody;
        expect(body.products.length).toBeGreaterThan(0);
      },
      feed_error_not_found: async () => {
        const res = await get(`/feeds/${String(examples().get_feed_response?.id)}`);
        expect(res.statusCode).toBe(404);
        expect(keep('Error', 'unknown feed', res.json())).toEqual(examples().feed_error_not_found);
      },
      create_feed_request_minimal: async () => {
        const res = await app.inject({
          method: 'POST',
          url: '/feeds',
          payload: examples().create_feed_request_minimal,
          headers: TENANT_AUTH,
        });
        expect(res.statusCode).toBe(405);
        keep('Error', 'createFeed', res.json());
      },
      upsert_products_request_single_product: async () => {
        const res = await app.inject({
          method: 'PATCH',
          url: '/feeds/acp/products',
          payload: examples().upsert_products_request_single_product,
          headers: TENANT_AUTH,
        });
        expect(res.statusCode).toBe(405);
        keep('Error', 'upsertFeedProducts', res.json());
      },
      feed_error_invalid_request: async () => {
        // A write's refusal: the feed is read-only, so every write is refused in the same shape.
        keep('Error', 'example', examples().feed_error_invalid_request);
      },
    };

    it('has a flow for every example the spec ships', () => {
      expect(Object.keys(FLOWS).sort()).toEqual(Object.keys(examples()).sort());
    });
    it.each(Object.keys(FLOWS))('%s', async (name) => {
      await (FLOWS[name] as () => Promise<void>)();
    });
  });
});
