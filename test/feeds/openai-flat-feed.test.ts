import { describe, expect, it } from 'vitest';
import { Excluded } from '../../feeds/feed-format.js';
import {
  type OpenAiFlatItem,
  openAiFlatFeed,
  projectOpenAiFlatItem,
} from '../../feeds/openai-flat-feed.js';
import { DEMO_SELLER } from '../../src/demo/demo-seller.js';
import { type ListingSeller, type ProductFacts, toInstant } from '../../src/domain/index.js';
import {
  DEMO_NOW_MS,
  demoProduct,
  demoProducts,
  EU_CONSUMER_AGENT,
  projectionInput,
} from '../helpers/demo-projection-inputs.js';
import { OPENAI_FLAT_REQUIRED, openAiFlatRowProblems } from '../helpers/openai-flat-spec.js';

function project(
  product: ProductFacts,
  seller: ListingSeller = DEMO_SELLER,
  context = EU_CONSUMER_AGENT,
) {
  return projectOpenAiFlatItem(projectionInput(product, context), seller);
}

function row(product: ProductFacts, seller?: ListingSeller): OpenAiFlatItem {
  const projected = project(product, seller);
  if (projected instanceof Excluded)
    throw new Error(`${product.id} excluded: ${projected.reasons.join(', ')}`);
  return projected;
}

function reasons(product: ProductFacts, seller?: ListingSeller): readonly string[] {
  const projected = project(product, seller);
  if (!(projected instanceof Excluded)) throw new Error(`${product.id} was published`);
  return projected.reasons;
}

const jacket = demoProduct('JACKET-RAIN-7');

describe('openai-flat projection', () => {
  describe('for every demo product in every region', () => {
    it('publishes a row only when the serialized line meets every required field of the reference', () => {
      const format = openAiFlatFeed(DEMO_SELLER);
      let published = 0;
      for (const product of demoProducts) {
        for (const region of ['EU', 'US']) {
          const item = project(product, DEMO_SELLER, { ...EU_CONSUMER_AGENT, region });
          if (item instanceof Excluded) {
            expect(item.reasons.length).toBeGreaterThan(0);
            continue;
          }
          published += 1;
          const line = JSON.parse(format.serialize(item));
          for (const field of OPENAI_FLAT_REQUIRED) expect(line[field], field).toBeDefined();
          expect(openAiFlatRowProblems(line), product.id).toEqual([]);
        }
      }
      expect(published).toBeGreaterThan(0);
    });
  });

  describe('in the demo catalog (EU consumer, agent channel)', () => {
    it('publishes five rows and leaves the Travel Backpack out for its unreviewed description', () => {
      const published = demoProducts.filter((product) => !(project(product) instanceof Excluded));
      expect(published.map((product) => product.id).sort()).toEqual([
        'BEANIE-WOOL-5',
        'JACKET-RAIN-7',
        'SCARF-SILK-2',
        'SOCKS-MERINO-3',
        'TEE-CLASSIC-1',
      ]);
      expect(reasons(demoProduct('BAG-TRAVEL-42'))).toEqual(['missing_description']);
    });

    it('takes search from discover and checkout from prepare_checkout', () => {
      expect(row(jacket)).toMatchObject({ is_eligible_search: true, is_eligible_checkout: true });
      expect(row(demoProduct('BEANIE-WOOL-5'))).toMatchObject({
        is_eligible_search: true,
        is_eligible_checkout: false,
      });
      // inactive: still listed, switched off explicitly, with the price that is still fresh
      expect(row(demoProduct('SCARF-SILK-2'))).toMatchObject({
        is_eligible_search: false,
        is_eligible_checkout: false,
        price: '49.00 EUR',
      });
    });

    it('carries the facts, the seller and the market as the reference names them', () => {
      expect(row(jacket)).toEqual({
        item_id: 'JACKET-RAIN-7',
        title: 'Rain Jacket',
        description: 'Waterproof shell with taped seams and a packable hood.',
        url: 'https://shop.example.com/p/jacket-rain-7',
        brand: 'Northwind',
        seller_name: DEMO_SELLER.name,
        image_url: 'https://cdn.example.com/p/jacket-rain-7.jpg',
        price: '89.00 EUR',
        availability: 'in_stock',
        target_countries: [...DEMO_SELLER.targetCountries],
        store_country: DEMO_SELLER.storeCountry,
        is_eligible_search: true,
        is_eligible_checkout: true,
        seller_url: DEMO_SELLER.url,
        seller_privacy_policy: DEMO_SELLER.privacyPolicyUrl,
        seller_tos: DEMO_SELLER.termsUrl,
        product_category: 'Apparel',
        gtin: '4006381000024',
      });
    });

    it('states stock as the add_to_cart decision stood on it', () => {
      expect(row(demoProduct('BEANIE-WOOL-5')).availability).toBe('out_of_stock');
      // the reference has no "low stock": a few left is in stock
      expect(row(demoProduct('TEE-CLASSIC-1')).availability).toBe('in_stock');
    });
  });

  describe('when the inventory fact is stale', () => {
    it('publishes availability unknown, never the stale in_stock, and no checkout', () => {
      const stale = {
        ...jacket,
        inventory: { ...jacket.inventory!, observedAt: toInstant(DEMO_NOW_MS - 2 * 86_400_000) },
      };
      expect(row(stale)).toMatchObject({ availability: 'unknown', is_eligible_checkout: false });
    });
  });

  describe('when the price fact is stale or missing', () => {
    it('leaves the product out with missing_price', () => {
      const stale = {
        ...jacket,
        price: { ...jacket.price!, observedAt: toInstant(DEMO_NOW_MS - 2 * 86_400_000) },
      };
      expect(reasons(stale)).toEqual(['missing_price']);
      const { price: _price, ...unpriced } = jacket;
      expect(reasons(unpriced)).toEqual(['missing_price']);
    });
  });

  describe('when the price is zero', () => {
    it('leaves the product out with not_positive_price', () => {
      expect(reasons({ ...jacket, price: { ...jacket.price!, amount: 0 } })).toEqual([
        'not_positive_price',
      ]);
    });
  });

  describe('when product facts the reference requires are missing', () => {
    it('names each missing field by its feed name', () => {
      const { url: _u, imageUrl: _i, brand: _b, ...bare } = jacket;
      expect(reasons(bare)).toEqual(['missing_url', 'missing_brand', 'missing_image_url']);
    });

    it('treats a blank description as missing', () => {
      expect(reasons({ ...jacket, description: '   ' })).toEqual(['missing_description']);
    });
  });

  describe('when the seller and market are not configured', () => {
    it('leaves every product out, naming the seller and market fields', () => {
      expect(reasons(demoProduct('BEANIE-WOOL-5'), {})).toEqual([
        'missing_seller_name',
        'missing_target_countries',
        'missing_store_country',
      ]);
    });
  });

  describe('when the seller has no privacy policy or terms', () => {
    const { privacyPolicyUrl: _p, termsUrl: _t, ...seller } = DEMO_SELLER;

    it('leaves out a product that offers checkout', () => {
      expect(reasons(jacket, seller)).toEqual([
        'missing_seller_privacy_policy',
        'missing_seller_tos',
      ]);
    });

    it('still publishes one that offers no checkout', () => {
      const beanie = row(demoProduct('BEANIE-WOOL-5'), seller);
      expect(beanie.is_eligible_checkout).toBe(false);
      expect(beanie.seller_privacy_policy).toBeUndefined();
      expect(openAiFlatRowProblems(beanie)).toEqual([]);
    });
  });
});
