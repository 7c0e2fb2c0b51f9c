import { describe, expect, it } from 'vitest';
import { decodeSearchCursor, encodeSearchCursor } from '../../src/adapters/ucp/catalog-cursor.js';
import { filterProduct } from '../../src/adapters/ucp/catalog-filters.js';
import {
  projectCatalogProduct,
  type UcpProduct,
} from '../../src/adapters/ucp/catalog-projection.js';
import {
  catalogContextOf,
  distinctIds,
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MAX_LIMIT,
  searchLimitOf,
  UcpGetProductRequestSchema,
  UcpLookupRequestSchema,
  type UcpSearchFilters,
  UcpSearchRequestSchema,
} from '../../src/adapters/ucp/catalog-request.js';
import { type EvaluationContext, evaluateProduct, PolicyIndex } from '../../src/domain/index.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { DEMO_NOW_MS } from '../helpers/demo-projection-inputs.js';

const FALLBACK: EvaluationContext = { region: 'EU', buyerType: 'consumer', channel: 'agent' };

describe('catalogContextOf', () => {
  // address_country → region decided for
  it.each([
    [undefined, 'EU'],
    ['DE', 'EU'],
    ['fr', 'EU'],
    ['US', 'US'],
    ['GB', 'UK'],
    ['CH', 'CH'],
    ['USA', 'EU'],
    ['United States', 'EU'],
    [' US ', 'US'],
  ] as const)('reads address_country %j as region %s', (country, region) => {
    const context = country === undefined ? {} : { address_country: country };
    expect(catalogContextOf(context, FALLBACK)).toEqual({
      region,
      buyerType: 'consumer',
      channel: 'agent',
    });
  });

  it('keeps the fallback buyer type and always decides for the agent channel', () => {
    const fallback: EvaluationContext = {
      region: 'US',
      buyerType: 'business',
      channel: 'storefront',
    };
    expect(catalogContextOf(undefined, fallback)).toEqual({
      region: 'US',
      buyerType: 'business',
      channel: 'agent',
    });
  });
});

describe('UcpSearchRequestSchema', () => {
  it.each([
    ['a query', { query: 'backpack' }],
    ['a category filter only (browse)', { filters: { categories: ['Travel Bags'] } }],
    ['a price filter only', { filters: { price: { max: 15000 } } }],
    [
      'the spec example with unknown fields',
      {
        query: 'blue running shoes',
        context: { address_country: 'US', address_region: 'CA', intent: 'x', custom: 1 },
        filters: { categories: ['Footwear'], price: { max: 15000 }, color: 'blue' },
        pagination: { limit: 20 },
        signals: { 'dev.ucp.buyer_ip': '203.0.113.1' },
        extension_input: { anything: true },
      },
    ],
  ])('accepts %s', (_what, body) => {
    expect(UcpSearchRequestSchema.safeParse(body).success).toBe(true);
  });

  it.each([
    ['nothing', {}],
    ['a blank query', { query: '   ' }],
    ['empty filters', { filters: {} }],
    ['a limit of 0', { query: 'x', pagination: { limit: 0 } }],
    ['a fractional price', { filters: { price: { max: 1.5 } } }],
    ['a query that is not a string', { query: 42 }],
  ])('refuses %s', (_what, body) => {
    expect(UcpSearchRequestSchema.safeParse(body).success).toBe(false);
  });

  it('defaults the page size to 10 and clamps it to the maximum', () => {
    const parse = (body: unknown) => UcpSearchRequestSchema.parse(body);
    expect(searchLimitOf(parse({ query: 'x' }))).toBe(SEARCH_DEFAULT_LIMIT);
    expect(SEARCH_DEFAULT_LIMIT).toBe(10);
    expect(searchLimitOf(parse({ query: 'x', pagination: { limit: 3 } }))).toBe(3);
    expect(searchLimitOf(parse({ query: 'x', pagination: { limit: 10_000 } }))).toBe(
      SEARCH_MAX_LIMIT,
    );
  });
});

describe('lookup and get_product requests', () => {
  it('requires at least one id', () => {
    expect(UcpLookupRequestSchema.safeParse({ ids: [] }).success).toBe(false);
    expect(UcpLookupRequestSchema.safeParse({}).success).toBe(false);
    expect(UcpLookupRequestSchema.safeParse({ ids: ['A'], other: 1 }).success).toBe(true);
  });

  it('deduplicates ids in the order first sent', () => {
    expect(distinctIds(['B', 'A', 'B', 'C', 'A'])).toEqual(['B', 'A', 'C']);
  });

  it('accepts selections and refuses an option named twice', () => {
    const ok = { id: 'A', selected: [{ name: 'Color', label: 'Blue' }], preferences: ['Color'] };
    expect(UcpGetProductRequestSchema.safeParse(ok).success).toBe(true);
    const twice = {
      id: 'A',
      selected: [
        { name: 'Color', label: 'Blue' },
        { name: 'Color', label: 'Red' },
      ],
    };
    expect(UcpGetProductRequestSchema.safeParse(twice).success).toBe(false);
    expect(UcpGetProductRequestSchema.safeParse({ selected: [] }).success).toBe(false);
  });
});

describe('search cursor', () => {
  it('round-trips the id to continue after and refuses anything it did not issue', () => {
    expect(decodeSearchCursor(encodeSearchCursor('BAG-TRAVEL-42'))).toBe('BAG-TRAVEL-42');
    expect(decodeSearchCursor('not-a-cursor')).toBeUndefined();
    const mcp = Buffer.from(JSON.stringify({ k: 'search', a: 'X' })).toString('base64url');
    expect(decodeSearchCursor(mcp)).toBeUndefined();
  });
});

describe('filterProduct', () => {
  const facts = {
    ...readyProduct('P-1', DEMO_NOW_MS, { priceAmount: 8900 }),
    categoryName: 'Rain Wear',
  };
  const profile = evaluateProduct(
    facts,
    new PolicyIndex(coveringPolicies()),
    FALLBACK,
    DEMO_NOW_MS,
  );
  const projection = projectCatalogProduct(facts, profile);
  if (!projection.listed) throw new Error('the fixture must be listed');
  const product: UcpProduct = projection.product;

  // filters, context currency → kept, price filter ignored
  it.each([
    [undefined, undefined, true, false],
    [{ categories: ['Rain Wear'] }, undefined, true, false],
    [{ categories: ['rain-wear'] }, undefined, true, false],
    [{ categories: ['apparel'] }, undefined, true, false],
    [{ categories: ['Footwear', 'APPAREL'] }, undefined, true, false],
    [{ categories: ['Footwear'] }, undefined, false, false],
    [{ price: { min: 8900, max: 8900 } }, 'EUR', true, false],
    [{ price: { max: 8899 } }, 'EUR', false, false],
    [{ price: { min: 8901 } }, undefined, false, false],
    [{ price: { max: 100 } }, 'USD', true, true],
    [{ categories: ['Footwear'], price: { max: 100 } }, 'USD', false, false],
  ] as const)(
    'filters %j in %s: keep %s, ignored price %s',
    (filters, currency, keep, ignoredPrice) => {
      expect(
        filterProduct(facts, product, filters as UcpSearchFilters | undefined, currency),
      ).toEqual({ keep, ignoredPrice });
    },
  );
});
