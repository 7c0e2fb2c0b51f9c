import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
  TENANT_AUTH,
} from '../helpers/catalog-app-context.js';
import { policyDocument, productDocument } from '../helpers/catalog-facts.js';
import { postProductBatch, putPolicy, putProduct } from '../helpers/catalog-requests.js';

const INVENTORY = {
  status: 'in_stock',
  observedAt: '2026-06-28T08:00:00Z',
  ttlSeconds: 900,
  source: 'wms',
};

describe('unknown fields and values over HTTP', () => {
  let t: CatalogTestContext;
  let app: App;

  beforeAll(async () => {
    t = await catalogTestContext({
      EVALUATION_CONTEXTS: 'EU:consumer:agent,US:business:agent',
      FEED_CONTEXT: 'UK:consumer:agent',
    });
    app = await buildApp(t.ctx, [catalogFeature]);
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  describe('PUT /v1/products/{id}', () => {
    it.each([
      ['a misspelt fact', { inventroy: INVENTORY }, 'body.inventroy'],
      ['a key inside a fact', { inventory: { ...INVENTORY, qty: 3 } }, 'body.inventory.qty'],
      [
        'a key inside the price',
        { price: { ...productDocument('x').price, ttl: 60 } },
        'body.price.ttl',
      ],
    ])('refuses %s by path and stores nothing', async (_, extra, path) => {
      const res = await putProduct(app, 'TYPO-1', productDocument('TYPO-1', extra));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', statusCode: 400 });
      expect(res.json().details).toContainEqual({ path, message: 'unknown field' });
      expect(res.json().message).toContain(`${path}: unknown field`);
      expect(await t.runtime.storesOf(TENANT).catalog.getProduct('TYPO-1')).toBeUndefined();
    });

    it('names each unknown key of one object on its own', async () => {
      const res = await putProduct(
        app,
        'TYPO-2',
        productDocument('TYPO-2', { inventroy: INVENTORY, colour: 'red' }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual(
        expect.arrayContaining([
          { path: 'body.inventroy', message: 'unknown field' },
          { path: 'body.colour', message: 'unknown field' },
        ]),
      );
    });
  });

  describe('POST /v1/products/batch', () => {
    it('refuses the whole batch, naming the product by index', async () => {
      const res = await postProductBatch(app, {
        products: [productDocument('OK-1'), productDocument('TYPO-3', { inventroy: INVENTORY })],
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([
        { path: 'body.products[1].inventroy', message: 'unknown field' },
      ]);
      expect(await t.runtime.storesOf(TENANT).catalog.getProducts(['OK-1', 'TYPO-3'])).toEqual([
        undefined,
        undefined,
      ]);
    });

    it('refuses an unknown key beside the products', async () => {
      const res = await postProductBatch(app, {
        products: [productDocument('OK-2')],
        replace: true,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([{ path: 'body.replace', message: 'unknown field' }]);
    });
  });

  describe('PUT /v1/policies/{id}', () => {
    it.each([
      ['a misspelt key', { quotable: true }, 'body.quotable'],
      [
        'a key inside appliesTo',
        {
          appliesTo: {
            categories: ['apparel'],
            region: ['EU'],
            buyerTypes: ['*'],
            channels: ['*'],
          },
        },
        'body.appliesTo.region',
      ],
      [
        'a key inside excludes',
        { excludes: { regions: ['US'], countries: ['CA'] } },
        'body.excludes.countries',
      ],
    ])('refuses %s by path', async (_, extra, path) => {
      const res = await putPolicy(app, 'returns-typo', policyDocument('returns-typo', extra));
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toContainEqual({ path, message: 'unknown field' });
    });
  });

  describe('GET /v1/products/{id}/profile', () => {
    it.each([
      ['region=CH', 'querystring.region', 'unknown region "CH"; allowed: EU, US, UK'],
      ['region=eu', 'querystring.region', 'unknown region "eu"; allowed: EU, US, UK'],
      [
        'buyerType=consumers',
        'querystring.buyerType',
        'unknown buyer type "consumers"; allowed: consumer, business',
      ],
      [
        'channel=fax',
        'querystring.channel',
        'unknown channel "fax"; allowed: storefront, agent, marketplace, support',
      ],
      ['regoin=US', 'querystring.regoin', 'unknown query parameter'],
    ])('answers 400 for %s naming what is allowed', async (query, path, message) => {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/products/ANY-1/profile?${query}`,
        headers: TENANT_AUTH,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().details).toEqual([{ path, message }]);
    });

    it('takes every configured region, the feed context included', async () => {
      await putProduct(app, 'REGION-1');
      for (const region of ['EU', 'US', 'UK']) {
        const res = await app.inject({
          method: 'GET',
          url: `/v1/products/REGION-1/profile?region=${region}&buyerType=business&channel=storefront`,
          headers: TENANT_AUTH,
        });
        expect(res.statusCode, region).toBe(200);
        expect(res.json().profile.context).toEqual({
          region,
          buyerType: 'business',
          channel: 'storefront',
        });
      }
    });
  });
});
