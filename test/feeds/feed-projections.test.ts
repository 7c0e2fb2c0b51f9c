import { describe, expect, it } from 'vitest';
import { projectAcpProduct } from '../../feeds/acp-feed.js';
import { agentFeed, projectAgentItem } from '../../feeds/agent-feed.js';
import { Excluded } from '../../feeds/feed-format.js';
import { feedFormats } from '../../feeds/formats.js';
import {
  demoProduct,
  demoProducts,
  demoPublishedAt,
  EU_CONSUMER_AGENT,
  projectionInput,
} from '../helpers/demo-projection-inputs.js';
import { acpFeedValidator, specsAvailable } from '../helpers/specs.js';

describe('agent feed projection', () => {
  describe('for the Travel Backpack, EU consumer on the agent channel', () => {
    const item = projectAgentItem(projectionInput(demoProduct('BAG-TRAVEL-42')));

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
        publishedAt: demoPublishedAt,
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
      ...demoProduct('BAG-TRAVEL-42'),
      generatedClaims: { status: 'approved' as const, text: 'Approved words.' },
    };
    expect(projectAgentItem(projectionInput(approved)).description).toBe('Approved words.');
  });

  it('serializes what the schema allows and nothing else', () => {
    const item = projectAgentItem(projectionInput(demoProduct('JACKET-RAIN-7')));
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
      for (const product of demoProducts) {
        for (const region of ['EU', 'US']) {
          const item = format.project(projectionInput(product, { ...EU_CONSUMER_AGENT, region }));
          if (item === null || item instanceof Excluded) continue;
          const wire = JSON.parse(format.serialize(item));
          expect(validateProduct(wire), JSON.stringify(validateProduct.errors)).toBe(true);
        }
      }
    },
  );

  it('leaves out products the domain does not allow to be discovered', () => {
    expect(projectAcpProduct(projectionInput(demoProduct('SCARF-SILK-2')))).toBeNull();
  });

  it('marks a variant available only when prepare_checkout is allowed', () => {
    const backpack = projectAcpProduct(projectionInput(demoProduct('BAG-TRAVEL-42')))!;
    expect(backpack.variants[0]!.availability).toEqual({ available: false });
    const jacket = projectAcpProduct(projectionInput(demoProduct('JACKET-RAIN-7')))!;
    expect(jacket.variants[0]!.availability).toEqual({ available: true, status: 'in_stock' });
    const beanie = projectAcpProduct(projectionInput(demoProduct('BEANIE-WOOL-5')))!;
    expect(beanie.variants[0]!.availability).toEqual({ available: false, status: 'out_of_stock' });
  });
});
