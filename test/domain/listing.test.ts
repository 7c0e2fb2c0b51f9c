import { describe, expect, it } from 'vitest';
import {
  CATALOG_LISTING_REQUIREMENTS,
  type Listing,
  type ListingField,
  type ListingSeller,
  listedAvailability,
  listedPrice,
  listingGaps,
  listingOf,
} from '../../src/domain/index.js';
import {
  freshInventory,
  freshPrice,
  fullCoverage,
  listedProduct,
  profileOf,
  staleInventory,
  stalePrice,
} from '../support/facts.js';

const SELLER = {
  name: 'Northwind Outfitters',
  privacyPolicyUrl: 'https://shop.example.com/privacy',
  termsUrl: 'https://shop.example.com/terms',
  storeCountry: 'DE',
  targetCountries: ['DE'],
};

const listingFor = (facts = listedProduct(), seller: ListingSeller = SELLER): Listing =>
  listingOf(facts, profileOf(facts, fullCoverage()), seller);

describe('listedAvailability', () => {
  it.each([
    ['fresh in stock', freshInventory(), 'in_stock'],
    ['fresh low stock', freshInventory({ status: 'low_stock' }), 'low_stock'],
    ['fresh out of stock', freshInventory({ status: 'out_of_stock' }), 'out_of_stock'],
    ['stale in stock', staleInventory(), 'unknown'],
    [
      'stale out of stock (staleness never helps)',
      staleInventory({ status: 'out_of_stock' }),
      'out_of_stock',
    ],
    ['missing', undefined, 'unknown'],
  ] as const)('when inventory is %s, states %s', (_when, inventory, expected) => {
    const facts = listedProduct({ inventory });
    expect(listedAvailability(facts, profileOf(facts))).toBe(expected);
  });
});

describe('listedPrice', () => {
  it('states the fresh price the compare decision stood on', () => {
    const facts = listedProduct();
    expect(listedPrice(facts, profileOf(facts))).toEqual({ amount: 12900, currency: 'EUR' });
  });

  it('states no stale price', () => {
    const facts = listedProduct({ price: stalePrice() });
    expect(listedPrice(facts, profileOf(facts))).toBeUndefined();
  });

  it('states a fresh price of an inactive product (compare blocks for another reason)', () => {
    const facts = listedProduct({ status: 'inactive', price: freshPrice({ amount: 500 }) });
    expect(listedPrice(facts, profileOf(facts))).toEqual({ amount: 500, currency: 'EUR' });
  });
});

describe('listingOf', () => {
  it('offers checkout only with search', () => {
    const inactive = listingFor(listedProduct({ status: 'inactive' }));
    expect(inactive).toMatchObject({ searchable: false, purchasable: false });
    expect(listingFor()).toMatchObject({ searchable: true, purchasable: true });
  });

  it('never states a description pending review', () => {
    const facts = listedProduct({
      description: undefined,
      generatedClaims: { status: 'pending_review', text: 'Unreviewed words' },
    });
    expect(listingFor(facts).description).toBeUndefined();
  });
});

describe('listingGaps', () => {
  it('finds none in a complete listing', () => {
    expect(listingGaps(listingFor())).toEqual([]);
  });

  /** Each required field, and the listing without it. */
  const without = (l: Listing, seller: Partial<Listing['seller']>, own: Partial<Listing> = {}) => ({
    ...l,
    ...own,
    seller: { ...l.seller, ...seller },
  });
  const ROWS: readonly [ListingField, (l: Listing) => Listing][] = [
    ['description', (l) => without(l, {}, { description: undefined })],
    ['url', (l) => without(l, {}, { url: undefined })],
    ['brand', (l) => without(l, {}, { brand: undefined })],
    ['sellerName', (l) => without(l, { name: undefined })],
    ['imageUrl', (l) => without(l, {}, { imageUrl: undefined })],
    ['price', (l) => without(l, {}, { price: undefined })],
    ['targetCountries', (l) => without(l, { targetCountries: undefined })],
    ['storeCountry', (l) => without(l, { storeCountry: undefined })],
  ];

  it('has a row below for every unconditional requirement but the title (always there)', () => {
    const always = CATALOG_LISTING_REQUIREMENTS.filter((r) => r.when === 'always');
    expect(ROWS.map(([field]) => field).sort()).toEqual(
      always
        .map((r) => r.field)
        .filter((field) => field !== 'title' && field !== 'availability')
        .sort(),
    );
  });

  it.each(ROWS)('finds %s missing', (field, remove) => {
    expect(listingGaps(remove(listingFor()))).toEqual([{ field, problem: 'missing' }]);
  });

  it('finds an empty target country list missing', () => {
    const listing = listingFor(listedProduct(), { ...SELLER, targetCountries: [] });
    expect(listingGaps(listing)).toEqual([{ field: 'targetCountries', problem: 'missing' }]);
  });

  it('finds a zero price not positive', () => {
    const listing = listingFor(listedProduct({ price: freshPrice({ amount: 0 }) }));
    expect(listingGaps(listing)).toEqual([{ field: 'price', problem: 'not_positive' }]);
  });

  describe('for the checkout-only requirements', () => {
    const { privacyPolicyUrl: _p, termsUrl: _t, ...bare } = SELLER;

    it('asks for the seller policy and terms on a listing that offers checkout', () => {
      expect(listingGaps(listingFor(listedProduct(), bare))).toEqual([
        { field: 'sellerPrivacyPolicyUrl', problem: 'missing' },
        { field: 'sellerTermsUrl', problem: 'missing' },
      ]);
    });

    it('does not ask for them on a listing that offers none', () => {
      const outOfStock = listedProduct({ inventory: freshInventory({ status: 'out_of_stock' }) });
      expect(listingGaps(listingFor(outOfStock, bare))).toEqual([]);
    });
  });
});
