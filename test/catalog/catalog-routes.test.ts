import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  OTHER_AUTH,
  TENANT,
  TENANT_AUTH,
} from '../helpers/catalog-app-context.js';
import { policyDocument, productDocument } from '../helpers/catalog-facts.js';
import { postProductBatch, putPolicy, putProduct } from '../helpers/catalog-requests.js';

describe('catalog routes', () => {
  let t: CatalogTestContext;
  let app: App;

  beforeAll(async () => {
    t = await catalogTestContext({ INGEST_BATCH_BODY_LIMIT_BYTES: '65536' });
    app = await buildApp(t.ctx, [catalogFeature, feedsFeature]);
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  describe('without a valid bearer token', () => {
    it('answers 401 with no token and with a wrong one', async () => {
      const none = await app.inject({ method: 'GET', url: '/v1/products/A/profile' });
      expect(none.statusCode).toBe(401);
      const wrong = await app.inject({
        method: 'PUT',
        url: '/v1/products/A',
        headers: { authorization: 'Bearer not-a-token-of-anyone-here' },
        payload: productDocument('A'),
      });
      expect(wrong.statusCode).toBe(401);
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('A')).toBeUndefined();
    });
  });

  describe('PUT /v1/products/{id}', () => {
    it('stores the facts and answers 202', async () => {
      const res = await putProduct(app, 'TEE-1');
      expect(res.statusCode).toBe(202);
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('TEE-1')).toMatchObject({
        id: 'TEE-1',
      });
    });

    it('names every problem by path in one 400', async () => {
      const res = await putProduct(app, 'BAD-1', {
        ...productDocument('BAD-1'),
        category: 'Not A Slug',
        price: { amount: 12.5, currency: 'EURO' },
      });
      expect(res.statusCode).toBe(400);
      const paths = res.json().details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(
        expect.arrayContaining(['body.category', 'body.price.amount', 'body.price.currency']),
      );
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('BAD-1')).toBeUndefined();
    });

    it('refuses a body whose id differs from the path', async () => {
      const res = await putProduct(app, 'X-1', productDocument('Y-1'));
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([expect.objectContaining({ path: 'body.id' })]);
    });
  });

  describe('POST /v1/products/batch', () => {
    it('writes nothing when one product is invalid', async () => {
      const res = await postProductBatch(app, {
        products: [
          productDocument('B-1'),
          productDocument('B-2', { status: 'sold' }),
          productDocument('B-1'),
        ],
      });
      expect(res.statusCode).toBe(400);
      const paths = res.json().details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['body.products[1].status']));
      expect(await t.runtime.storesOf(TENANT).catalog.getProducts(['B-1', 'B-2'])).toEqual([
        undefined,
        undefined,
      ]);
    });

    it('reports duplicate ids by path', async () => {
      const res = await postProductBatch(app, {
        products: [productDocument('D-1'), productDocument('D-1')],
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([
        expect.objectContaining({ path: 'body.products[1].id' }),
      ]);
    });

    it('answers 413 over the size limit and writes nothing', async () => {
      const big = Array.from({ length: 200 }, (_, i) =>
        productDocument(`BIG-${i}`, { description: 'x'.repeat(400) }),
      );
      const res = await postProductBatch(app, { products: big });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('BIG-0')).toBeUndefined();
    });

    it('refuses more than 1,000 products', async () => {
      const many = Array.from({ length: 1_001 }, (_, i) => ({ id: `M-${i}` }));
      const res = await postProductBatch(app, { products: many });
      // 1,001 tiny objects fit the body limit; the schema refuses the count.
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0].path).toBe('body.products');
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('M-0')).toBeUndefined();
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 for another tenant's product, profile and audit", async () => {
      await putProduct(app, 'OWN-1');
      for (const url of [
        '/v1/products/OWN-1',
        '/v1/products/OWN-1/profile',
        '/v1/products/OWN-1/audit',
      ]) {
        const res = await app.inject({ method: 'GET', url, headers: OTHER_AUTH });
        expect(res.statusCode, url).toBe(404);
      }
      const del = await app.inject({
        method: 'DELETE',
        url: '/v1/products/OWN-1',
        headers: OTHER_AUTH,
      });
      expect(del.statusCode).toBe(404);
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('OWN-1')).toBeDefined();
    });
  });

  describe('GET /v1/products/{id}/profile', () => {
    it('evaluates on read when no job has stored a profile yet', async () => {
      await putProduct(app, 'READ-1');
      const res = await app.inject({
        method: 'GET',
        url: '/v1/products/READ-1/profile?region=US&buyerType=business',
        headers: TENANT_AUTH,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.source).toBe('evaluated');
      expect(body.profile.context).toEqual({
        region: 'US',
        buyerType: 'business',
        channel: 'agent',
      });
      // No inventory fact: the domain blocks add_to_cart; the route only relays it.
      const addToCart = body.profile.decisions.find(
        (d: { action: string }) => d.action === 'add_to_cart',
      );
      expect(addToCart.result).toBe('blocked');
    });

    it('answers 400 for a bad context', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/products/READ-1/profile?region=eu&channel=fax',
        headers: TENANT_AUTH,
      });
      expect(res.statusCode).toBe(400);
    });
  });

  describe('policies', () => {
    it('stores a policy, then deletes it, answering 404 the second time', async () => {
      const put = await putPolicy(app, 'returns-apparel', policyDocument('returns-apparel'));
      expect(put.statusCode).toBe(202);
      expect(put.json().created).toBe(true);
      const first = await app.inject({
        method: 'DELETE',
        url: '/v1/policies/returns-apparel',
        headers: TENANT_AUTH,
      });
      expect(first.statusCode).toBe(204);
      const again = await app.inject({
        method: 'DELETE',
        url: '/v1/policies/returns-apparel',
        headers: TENANT_AUTH,
      });
      expect(again.statusCode).toBe(404);
    });
  });
});
