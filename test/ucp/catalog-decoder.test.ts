import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { productSurfaces } from '../../src/adapters/surfaces.js';
import { decodeUcpLookup } from '../../src/adapters/ucp/catalog-decoder.js';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import { evaluateProduct, PolicyIndex, type ProductFacts } from '../../src/domain/index.js';
import { DEMO_NOW_MS, EU_CONSUMER_AGENT } from '../helpers/demo-projection-inputs.js';
import { expectUcp } from '../helpers/ucp-schemas.js';
import { contextArb, policiesArb, productArb } from '../support/arbitraries.js';
import { NOW_MS } from '../support/facts.js';

const ucpCatalog = productSurfaces({}).find((surface) => surface.name === 'ucp_catalog');
if (ucpCatalog === undefined) throw new Error('the ucp_catalog surface is not listed');

const HOUR_MS = 3_600_000;
const demo = demoCatalog(DEMO_NOW_MS);
const index = new PolicyIndex(demo.policies);
const wireOf = (id: string, nowMs = DEMO_NOW_MS) => {
  const product = demo.products.find((p) => p.id === id) as ProductFacts;
  const profile = evaluateProduct(product, index, EU_CONSUMER_AGENT, nowMs);
  return ucpCatalog.wire({ product, profile, nowMs });
};

describe('decodeUcpLookup', () => {
  // demo product (EU consumer agent) → what its lookup answer claims
  it.each([
    [
      'BAG-TRAVEL-42',
      DEMO_NOW_MS,
      [
        { action: 'discover', result: 'allowed' },
        { action: 'prepare_checkout', result: 'not_allowed' },
      ],
    ],
    [
      'JACKET-RAIN-7',
      DEMO_NOW_MS,
      [
        { action: 'discover', result: 'allowed' },
        { action: 'prepare_checkout', result: 'allowed' },
      ],
    ],
    ['SCARF-SILK-2', DEMO_NOW_MS, [{ action: 'discover', result: 'not_allowed' }]],
    // the price went stale: found, but not listed without a price
    ['BAG-TRAVEL-42', DEMO_NOW_MS + 2 * HOUR_MS, [{ action: 'discover', result: 'allowed' }]],
  ])('reads the answer for %s (at %i) as %j', (id, nowMs, claims) => {
    const wire = wireOf(id, nowMs);
    expectUcp('lookup', wire);
    expect(decodeUcpLookup(wire).claims).toEqual(claims);
  });

  it('refuses a wire form that is not a lookup answer', () => {
    expect(() => decodeUcpLookup({ products: [{ variants: [] }] })).toThrow();
  });
});

describe('the ucp_catalog surface', () => {
  it('answers a valid 2026-04-08 lookup_response for any product, policies and context', () => {
    fc.assert(
      fc.property(productArb, policiesArb, contextArb, (product, policies, context) => {
        const profile = evaluateProduct(product, new PolicyIndex(policies), context, NOW_MS);
        expectUcp('lookup', ucpCatalog.wire({ product, profile, nowMs: NOW_MS }));
      }),
      { numRuns: 300 },
    );
  });
});
