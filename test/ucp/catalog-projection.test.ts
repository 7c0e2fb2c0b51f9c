import { describe, expect, it } from 'vitest';
import {
  type CatalogProjection,
  projectCatalogProduct,
} from '../../src/adapters/ucp/catalog-projection.js';
import {
  correlated,
  errorResponse,
  lookupMiss,
  lookupResponse,
  productMiss,
  productResponse,
  searchResponse,
} from '../../src/adapters/ucp/catalog-response.js';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import {
  type CurrencyCode,
  evaluateProduct,
  PolicyIndex,
  type ProductFacts,
  unknownProductProfile,
} from '../../src/domain/index.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { DEMO_NOW_MS, EU_CONSUMER_AGENT } from '../helpers/demo-projection-inputs.js';
import { specsAvailable } from '../helpers/specs.js';
import { catalogBlock } from '../helpers/ucp-catalog.js';
import { expectUcp, ucpValidator } from '../helpers/ucp-schemas.js';

const HOUR_MS = 3_600_000;
const demo = demoCatalog(DEMO_NOW_MS);
const demoIndex = new PolicyIndex(demo.policies);
const demoProduct = (id: string) => demo.products.find((p) => p.id === id) as ProductFacts;

/** A demo product projected with its profile for an EU consumer agent at `nowMs`. */
function projectDemo(id: string, nowMs = DEMO_NOW_MS): CatalogProjection {
  const product = demoProduct(id);
  return projectCatalogProduct(
    product,
    evaluateProduct(product, demoIndex, EU_CONSUMER_AGENT, nowMs),
  );
}

function listedOf(projection: CatalogProjection) {
  if (!projection.listed) throw new Error(`not listed: ${projection.reason}`);
  return projection.product;
}

function expectProductSchema(product: unknown) {
  if (!specsAvailable) return;
  const validate = ucpValidator('shopping/types/product.json');
  expect(validate(product), JSON.stringify(validate.errors, null, 2)).toBe(true);
}

describe('projectCatalogProduct', () => {
  describe('when discover is allowed', () => {
    it('lists the Travel Backpack at 12900 EUR, not purchasable, with no stock status (stale)', () => {
      const product = listedOf(projectDemo('BAG-TRAVEL-42'));
      expectProductSchema(product);
      expect(product).toMatchObject({
        id: 'BAG-TRAVEL-42',
        title: 'Travel Backpack',
        url: 'https://shop.example.com/p/bag-travel-42',
        categories: [{ value: 'Travel Bags', taxonomy: 'merchant' }],
        price_range: {
          min: { amount: 12900, currency: 'EUR' },
          max: { amount: 12900, currency: 'EUR' },
        },
        media: [{ type: 'image', url: 'https://cdn.example.com/p/bag-travel-42.jpg' }],
      });
      const [variant] = product.variants;
      expect(variant).toMatchObject({
        id: 'BAG-TRAVEL-42',
        sku: 'BAG-TRAVEL-42',
        price: { amount: 12900, currency: 'EUR' },
        availability: { available: false },
      });
      expect(variant?.availability).not.toHaveProperty('status');
    });

    it('never states generated text awaiting review as the description', () => {
      const product = listedOf(projectDemo('BAG-TRAVEL-42'));
      expect(product.description).toEqual({ plain: '' });
      expect(JSON.stringify(product)).not.toContain('lightest carry-on');
    });

    // id → what the variant states: `available` is checkoutEligible, status the listed stock
    it.each([
      ['JACKET-RAIN-7', true, 'in_stock'],
      ['TEE-CLASSIC-1', true, 'in_stock'],
      ['BEANIE-WOOL-5', false, 'out_of_stock'],
    ] as const)('states %s as available=%s, status %s', (id, available, status) => {
      const product = listedOf(projectDemo(id));
      expectProductSchema(product);
      expect(product.variants[0]?.availability).toEqual({ available, status });
    });

    it('states the GTIN as a barcode and the merchant description', () => {
      const product = listedOf(projectDemo('JACKET-RAIN-7'));
      expect(product.variants[0]?.barcodes).toEqual([{ type: 'GTIN', value: '4006381000024' }]);
      expect(product.description.plain).toBe(
        'Waterproof shell with taped seams and a packable hood.',
      );
    });
  });

  describe('when the product may not be listed', () => {
    it.each([
      ['an inactive product (discover blocked)', 'not_found', () => projectDemo('SCARF-SILK-2')],
      [
        'an unknown id',
        'not_found',
        () =>
          projectCatalogProduct(
            undefined,
            unknownProductProfile('NOPE-1', EU_CONSUMER_AGENT, DEMO_NOW_MS),
          ),
      ],
      [
        'a discoverable product whose price went stale',
        'unpriced',
        () => projectDemo('BAG-TRAVEL-42', DEMO_NOW_MS + 2 * HOUR_MS),
      ],
    ] as const)('does not list %s: %s', (_what, reason, project) => {
      expect(project()).toEqual({ listed: false, reason });
    });
  });

  describe('money', () => {
    const index = new PolicyIndex(coveringPolicies());
    // currency → an amount in its minor units, passed through unscaled as an integer
    it.each([
      ['EUR', 12900],
      ['JPY', 12900],
      ['KWD', 12900],
      ['JPY', 7],
      ['KWD', 1],
    ] as const)('states %s %i in minor units', (currency: CurrencyCode, amount) => {
      const base = readyProduct('P-1', DEMO_NOW_MS, { priceAmount: amount });
      const product: ProductFacts = {
        ...base,
        price: { ...(base.price as NonNullable<ProductFacts['price']>), currency },
      };
      const profile = evaluateProduct(product, index, EU_CONSUMER_AGENT, DEMO_NOW_MS);
      const listed = listedOf(projectCatalogProduct(product, profile));
      expectProductSchema(listed);
      expect(listed.variants[0]?.price).toEqual({ amount, currency });
      expect(listed.price_range).toEqual({
        min: { amount, currency },
        max: { amount, currency },
      });
    });
  });
});

describe('catalog responses', () => {
  const backpack = listedOf(projectDemo('BAG-TRAVEL-42'));
  const search = catalogBlock(UCP_CAPABILITY.catalogSearch);
  const lookup = catalogBlock(UCP_CAPABILITY.catalogLookup);

  it('builds a search_response with a next cursor, and the last page without', () => {
    const page = searchResponse(search, [backpack], 'abc');
    expectUcp('search', page);
    expect(page.pagination).toEqual({ has_next_page: true, cursor: 'abc' });
    const last = searchResponse(search, [], undefined);
    expectUcp('search', last);
    expect(last).toEqual({ ucp: search, products: [], pagination: { has_next_page: false } });
  });

  it('builds a lookup_response whose variants carry their inputs, misses as info messages', () => {
    const body = lookupResponse(
      lookup,
      [correlated(backpack, ['BAG-TRAVEL-42'])],
      [lookupMiss('NOPE-1', 'not_found'), lookupMiss('OLD-1', 'unpriced')],
    );
    expectUcp('lookup', body);
    expect(body.products[0]?.variants[0]?.inputs).toEqual([
      { id: 'BAG-TRAVEL-42', match: 'exact' },
    ]);
    expect(body.messages).toEqual([
      { type: 'info', code: 'not_found', content: 'NOPE-1' },
      { type: 'info', code: 'price_unavailable', content: 'OLD-1' },
    ]);
  });

  it('a product without inputs is not a valid lookup answer (the schema check bites)', () => {
    if (!specsAvailable) return;
    const validate = ucpValidator('shopping/catalog_lookup.json#/$defs/lookup_response');
    expect(validate(lookupResponse(lookup, [backpack]))).toBe(false);
  });

  it('builds a get_product_response and an error_response with status error', () => {
    expectUcp('product', productResponse(lookup, backpack));
    const missing = errorResponse(lookup, [productMiss('NOPE-1', 'not_found')]);
    expectUcp('error', missing);
    expect(missing).toEqual({
      ucp: { ...lookup, status: 'error' },
      messages: [
        {
          type: 'error',
          code: 'not_found',
          content: 'Product not found: NOPE-1',
          severity: 'unrecoverable',
        },
      ],
    });
    expectUcp('error', errorResponse(lookup, [productMiss('OLD-1', 'unpriced')]));
  });
});
