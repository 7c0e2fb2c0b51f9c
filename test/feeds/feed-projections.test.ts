import { describe, expect, it } from 'vitest';
import { projectAcpProduct } from '../../feeds/acp-feed.js';
import { agentFeed, projectAgentItem } from '../../feeds/agent-feed.js';
import { Excluded } from '../../feeds/feed-format.js';
import { feedFormats } from '../../feeds/formats.js';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import {
  type EvaluationContext,
  evaluateProduct,
  PolicyIndex,
  type ProductFacts,
  toInstant,
} from '../../src/domain/index.js';
import { acpFeedValidator, specsAvailable } from '../helpers/specs.js';

const NOW_MS = Date.parse('2026-06-28T09:00:00Z');
const EU: EvaluationContext = { region: 'EU', buyerType: 'consumer', channel: 'agent' };
const { products, policies } = demoCatalog(NOW_MS);
const index = new PolicyIndex(policies);
const publishedAt = toInstant(NOW_MS);

function input(product: ProductFacts, context = EU) {
  return { product, profile: evaluateProduct(product, index, context, NOW_MS), publishedAt };
}
const byId = (id: string) => products.find((product) => product.id === id)!;

describe('agent feed projection', () => {
  describe('for the Travel Backpack, EU consumer on the agent channel', () => {
    const item = projectAgentItem(input(byId('BAG-TRAVEL-42')));

    it('carries the DESIGN.md decisions', () => {
      expect(item).toMatchObject({
        productId: 'BAG-TRAVEL-42',
        title: 'Travel Backpack',
        price: { amount: 12900, currency: 'EUR' },
        actions: {
          discover: 'allowed',
          compare: 'allowed',
          quotePolicy: 'blocked',
          addToCart: 'requires_revalidation',
          prepareCheckout: 'blocked',
          delegatePayment: 'blocked',
        },
        generatedClaimsStatus: 'pending_review',
        publishedAt,
      });
      expect(item.blockers).toEqual(
        expect.arrayContaining(['RETURN_POLICY_MISSING', 'INVENTORY_STALE']),
      );
    });

    it('never includes the description pending review', () => {
      const line = agentFeed.serialize(item);
      expect(item.description).toBeUndefined();
      expect(line).not.toContain('lightest carry-on');
    });
  });

  it('includes a generated description once it is approved', () => {
    const approved = {
      ...byId('BAG-TRAVEL-42'),
      generatedClaims: { status: 'approved' as const, text: 'Approved words.' },
    };
    expect(projectAgentItem(input(approved)).description).toBe('Approved words.');
  });

  it('serializes what the schema allows and nothing else', () => {
    const item = projectAgentItem(input(byId('JACKET-RAIN-7')));
    const parsed = JSON.parse(agentFeed.serialize({ ...item, extra: 'x' } as typeof item));
    expect(parsed).toEqual(JSON.parse(JSON.stringify(item)));
  });
});

describe('acp feed projection', () => {
  it.skipIf(!specsAvailable)(
    'emits products that validate against the official $defs/Product',
    () => {
      const validateProduct = acpFeedValidator('Product');
      const format = feedFormats({ seller: { name: 'Northwind Outfitters' } }).acp;
      for (const product of products) {
        for (const region of ['EU', 'US']) {
          const item = format.project(input(product, { ...EU, region }));
          if (item === null || item instanceof Excluded) continue;
          const wire = JSON.parse(format.serialize(item));
          expect(validateProduct(wire), JSON.stringify(validateProduct.errors)).toBe(true);
        }
      }
    },
  );

  it('leaves out products the domain does not allow to be discovered', () => {
    expect(projectAcpProduct(input(byId('SCARF-SILK-2')))).toBeNull();
  });

  it('marks a variant available only when prepare_checkout is allowed', () => {
    const backpack = projectAcpProduct(input(byId('BAG-TRAVEL-42')))!;
    expect(backpack.variants[0]!.availability).toEqual({ available: false });
    const jacket = projectAcpProduct(input(byId('JACKET-RAIN-7')))!;
    expect(jacket.variants[0]!.availability).toEqual({ available: true, status: 'in_stock' });
    const beanie = projectAcpProduct(input(byId('BEANIE-WOOL-5')))!;
    expect(beanie.variants[0]!.availability).toEqual({ available: false, status: 'out_of_stock' });
  });
});
