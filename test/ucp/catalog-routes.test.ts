import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UCP_OPERATION_CAPABILITY } from '../../src/adapters/ucp/capabilities.js';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { UCP_VERSION } from '../../src/adapters/ucp/version.js';
import { ucpCatalog } from '../../src/app/ucp-catalog.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  OTHER_TENANT,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { seedDemoThroughJobs } from '../helpers/seed-demo-through-jobs.js';
import { catalogBlock } from '../helpers/ucp-catalog.js';
import { expectUcp, type UcpResponseKind } from '../helpers/ucp-schemas.js';

/** Only ever in OTHER_TENANT's catalog. */
const OTHER_ONLY = 'GLOBEX-ONLY-1';

interface Variant {
  id: string;
  price: { amount: number; currency: string };
  availability: { available: boolean; status?: string };
  inputs?: { id: string; match: string }[];
}
interface Product {
  id: string;
  title: string;
  price_range: { min: { amount: number; currency: string } };
  variants: Variant[];
}
interface Body {
  ucp: { version: string; status?: string; capabilities: Record<string, unknown> };
  products?: Product[];
  product?: Product;
  pagination?: { has_next_page: boolean; cursor?: string };
  messages?: { type: string; code: string; content: string; severity?: string }[];
}

describe('UCP catalog routes', () => {
  let t: CatalogTestContext;
  let app: App;

  beforeAll(async () => {
    t = await catalogTestContext();
    await seedDemoThroughJobs(t);
    for (const policy of coveringPolicies())
      await t.runtime.catalog.putPolicy(OTHER_TENANT, policy);
    await t.runtime
      .storesOf(OTHER_TENANT)
      .catalog.putProducts([readyProduct(OTHER_ONLY, t.ctx.clock.nowMs())]);
    app = await buildApp(t.ctx, [
      {
        async publicRoutes(scope, ctx) {
          await scope.register(
            async (ucp) => {
              // Stands in for the UCP scope's auth and negotiation: the tenant from a test
              // header, and what negotiation would have agreed.
              ucp.addHook('preHandler', async (request) => {
                const tenant = String(request.headers['x-test-tenant'] ?? TENANT);
                request.ucpCaller = { tenant, callerId: `test-${tenant}` };
                request.ucpNegotiated = {
                  version: UCP_VERSION,
                  capabilities: {
                    [UCP_CAPABILITY.catalogSearch]: { version: UCP_VERSION },
                    [UCP_CAPABILITY.catalogLookup]: { version: UCP_VERSION },
                  },
                  profileUrl: 'https://platform.example/profile',
                };
              });
              await ucpCatalog(ucp, ctx, (_request, operation) =>
                catalogBlock(UCP_OPERATION_CAPABILITY[operation]),
              );
            },
            { prefix: '/ucp/v1' },
          );
        },
      },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  /** POSTs `body`; a 200 answer is asserted to be the official schema of `kind`. */
  const post = async (
    path: 'search' | 'lookup' | 'product',
    body: unknown,
    kind: UcpResponseKind,
    tenant = TENANT,
  ) => {
    const res = await app.inject({
      method: 'POST',
      url: `/ucp/v1/catalog/${path}`,
      headers: { 'x-test-tenant': tenant },
      payload: body as object,
    });
    expect(res.statusCode, res.body).toBe(200);
    const parsed = res.json() as Body;
    expectUcp(kind, parsed);
    return parsed;
  };
  const status = async (path: string, body: unknown) =>
    (
      await app.inject({
        method: 'POST',
        url: `/ucp/v1/catalog/${path}`,
        payload: body as object,
      })
    ).statusCode;

  describe('POST /catalog/search', () => {
    it('finds the Travel Backpack at 12900 EUR, under the search capability', async () => {
      const body = await post('search', { query: 'travel backpack' }, 'search');
      expect(body.ucp).toEqual(catalogBlock(UCP_CAPABILITY.catalogSearch));
      expect(body.products?.map((p) => p.id)).toEqual(['BAG-TRAVEL-42']);
      const [product] = body.products ?? [];
      expect(product?.price_range.min).toEqual({ amount: 12900, currency: 'EUR' });
      expect(product?.variants[0]?.price).toEqual({ amount: 12900, currency: 'EUR' });
      // inventory stale and return policy missing: listed, but not purchasable now
      expect(product?.variants[0]?.availability).toEqual({ available: false });
      expect(body.pagination).toEqual({ has_next_page: false });
      expect(body.messages).toBeUndefined();
    });

    it('does not find a product whose discover is blocked (inactive scarf)', async () => {
      const body = await post('search', { query: 'silk scarf' }, 'search');
      expect(body.products).toEqual([]);
      expect(body.messages).toBeUndefined();
    });

    it("does not find another tenant's product, which its own tenant finds", async () => {
      expect((await post('search', { query: OTHER_ONLY }, 'search')).products).toEqual([]);
      const own = await post('search', { query: OTHER_ONLY }, 'search', OTHER_TENANT);
      expect(own.products?.map((p) => p.id)).toEqual([OTHER_ONLY]);
      const backpack = await post('search', { query: 'backpack' }, 'search', OTHER_TENANT);
      expect(backpack.products).toEqual([]);
    });

    it('pages through a category with opaque cursors, every discoverable product once', async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const body = await post(
          'search',
          {
            filters: { categories: ['Apparel'] },
            pagination: cursor === undefined ? { limit: 2 } : { limit: 2, cursor },
          },
          'search',
        );
        pages += 1;
        sizes.push(body.products?.length ?? 0);
        seen.push(...(body.products ?? []).map((p) => p.id));
        cursor = body.pagination?.has_next_page ? body.pagination.cursor : undefined;
        expect(pages).toBeLessThan(10);
      } while (cursor !== undefined);
      // the filter narrows inside the search: full pages of apparel, the scarf never counted
      expect(sizes).toEqual([2, 2]);
      expect(seen.sort()).toEqual(
        ['BEANIE-WOOL-5', 'JACKET-RAIN-7', 'SOCKS-MERINO-3', 'TEE-CLASSIC-1'].sort(),
      );
    });

    it('applies several categories (OR) and a price filter in the context currency', async () => {
      const body = await post(
        'search',
        {
          filters: { categories: ['Travel Bags', 'apparel'], price: { min: 2000, max: 13000 } },
          context: { currency: 'EUR', address_country: 'DE' },
        },
        'search',
      );
      expect(body.products?.map((p) => p.id).sort()).toEqual(
        ['BAG-TRAVEL-42', 'BEANIE-WOOL-5', 'JACKET-RAIN-7'].sort(),
      );
    });

    it('says so when a price filter in another currency could not be applied', async () => {
      const body = await post(
        'search',
        { query: 'backpack', filters: { price: { max: 100 } }, context: { currency: 'USD' } },
        'search',
      );
      expect(body.products?.map((p) => p.id)).toEqual(['BAG-TRAVEL-42']);
      expect(body.messages?.map((m) => m.code)).toEqual(['price_filter_ignored']);
    });

    it.each([
      ['no input at all', {}],
      ['a blank query', { query: ' ' }],
      ['a cursor this server did not issue', { query: 'x', pagination: { cursor: 'bogus' } }],
      ['a zero limit', { query: 'x', pagination: { limit: 0 } }],
      ['a query that is not a string', { query: ['backpack'] }],
    ])('refuses %s with 400', async (_what, body) => {
      expect(await status('search', body)).toBe(400);
    });
  });

  describe('POST /catalog/lookup', () => {
    it('returns the found products once and a not_found message per missing id', async () => {
      const body = await post(
        'lookup',
        { ids: ['BAG-TRAVEL-42', 'NOPE-1', 'SCARF-SILK-2', 'BAG-TRAVEL-42', OTHER_ONLY] },
        'lookup',
      );
      expect(body.ucp).toEqual(catalogBlock(UCP_CAPABILITY.catalogLookup));
      expect(body.products?.map((p) => p.id)).toEqual(['BAG-TRAVEL-42']);
      expect(body.products?.[0]?.variants[0]?.inputs).toEqual([
        { id: 'BAG-TRAVEL-42', match: 'exact' },
      ]);
      expect(body.messages).toEqual([
        { type: 'info', code: 'not_found', content: 'NOPE-1' },
        { type: 'info', code: 'not_found', content: 'SCARF-SILK-2' },
        { type: 'info', code: 'not_found', content: OTHER_ONLY },
      ]);
    });

    it('answers an all-missing batch with no products and only messages', async () => {
      const body = await post('lookup', { ids: ['SCARF-SILK-2'] }, 'lookup');
      expect(body.products).toEqual([]);
      expect(body.messages).toEqual([{ type: 'info', code: 'not_found', content: 'SCARF-SILK-2' }]);
    });

    it('leaves out a product the filters exclude, without a message', async () => {
      const body = await post(
        'lookup',
        { ids: ['BAG-TRAVEL-42', 'TEE-CLASSIC-1'], filters: { price: { max: 5000 } } },
        'lookup',
      );
      expect(body.products?.map((p) => p.id)).toEqual(['TEE-CLASSIC-1']);
      expect(body.messages).toBeUndefined();
    });

    it.each([
      ['no ids', { ids: [] }],
      ['ids that are not strings', { ids: [1, 2] }],
      [
        'more distinct ids than a batch takes',
        { ids: Array.from({ length: 51 }, (_, i) => `P-${i}`) },
      ],
    ])('refuses %s with 400', async (_what, body) => {
      expect(await status('lookup', body)).toBe(400);
    });

    it('takes a batch of 50 distinct ids however often they repeat', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `P-${i}`);
      const body = await post('lookup', { ids: [...ids, ...ids] }, 'lookup');
      expect(body.messages).toHaveLength(50);
    });
  });

  describe('POST /catalog/product', () => {
    it('returns the Travel Backpack as a single product', async () => {
      const body = await post(
        'product',
        { id: 'BAG-TRAVEL-42', context: { address_country: 'FR' } },
        'product',
      );
      expect(body.ucp).toEqual(catalogBlock(UCP_CAPABILITY.catalogLookup));
      expect(body.product?.id).toBe('BAG-TRAVEL-42');
      expect(body.product?.variants[0]?.price).toEqual({ amount: 12900, currency: 'EUR' });
    });

    it.each([
      ['a product whose discover is blocked', 'SCARF-SILK-2', TENANT],
      ['an unknown id', 'NOPE-1', TENANT],
      ["another tenant's product", OTHER_ONLY, TENANT],
      ["this tenant's product asked for by another tenant", 'BAG-TRAVEL-42', OTHER_TENANT],
    ])('answers %s with an error_response (not_found)', async (_what, id, tenant) => {
      const body = await post('product', { id }, 'error', tenant);
      expect(body).toEqual({
        ucp: { ...catalogBlock(UCP_CAPABILITY.catalogLookup), status: 'error' },
        messages: [
          {
            type: 'error',
            code: 'not_found',
            content: `Product not found: ${id}`,
            severity: 'unrecoverable',
          },
        ],
      });
    });

    it('finds a tenant its own product (the control for the cases above)', async () => {
      const body = await post('product', { id: OTHER_ONLY }, 'product', OTHER_TENANT);
      expect(body.product?.id).toBe(OTHER_ONLY);
    });

    it.each([
      ['no id', {}],
      ['an empty id', { id: '' }],
      [
        'an option named twice',
        {
          id: 'X',
          selected: [
            { name: 'C', label: 'a' },
            { name: 'C', label: 'b' },
          ],
        },
      ],
    ])('refuses %s with 400', async (_what, body) => {
      expect(await status('product', body)).toBe(400);
    });
  });
});
