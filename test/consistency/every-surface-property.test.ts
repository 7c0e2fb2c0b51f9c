import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { productSurfaces, SURFACE_NAMES, type SurfaceName } from '../../src/adapters/surfaces.js';
import {
  evaluateProduct,
  GENERATED_CLAIMS_STATUSES,
  INVENTORY_STATUSES,
  PolicyIndex,
  type ProductActionProfile,
} from '../../src/domain/index.js';
import {
  canonicalDecisions,
  disagreements,
  isMoreOptimistic,
  resultVerdict,
} from '../../src/domain/surface-claims.js';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import { expectUcp } from '../helpers/ucp-schemas.js';
import {
  contextArb,
  listedProductArb,
  optionsArb,
  policiesArb,
  sellerArb,
} from '../support/arbitraries.js';
import {
  EU_CONSUMER,
  freshInventory,
  freshPrice,
  fullCoverage,
  listedProduct,
  NOW_MS,
} from '../support/facts.js';

/**
 * Consistency on every surface (issue 10, part 5): for generated products, policies, contexts,
 * evaluation options, merchant details and `now`, every surface's wire form, read back by its
 * decoder (src/adapters/surfaces.ts), claims exactly the domain's decisions — or, where the
 * protocol can say less (the ACP feed's `available`, the OpenAI feed's two flags), nothing more
 * optimistic than them (src/domain/surface-claims.ts holds that order, in one place).
 *
 * Replaying a failure: fast-check prints `seed` and `path` in the failure message. Run
 *   FC_SEED=<seed> npx vitest run test/consistency/every-surface-property.test.ts
 * to draw the same cases (add FC_PATH=<path> to go straight to the shrunk counterexample).
 */
const NUM_RUNS = 1_000;
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const path = process.env.FC_PATH;
const replay = {
  numRuns: NUM_RUNS,
  ...(seed === undefined ? {} : { seed }),
  ...(path ? { path } : {}),
};

/** Surfaces that carry every decision of the profile, so they must claim each one. */
const COMPLETE: readonly SurfaceName[] = [
  'profile_api',
  'a2a_v1',
  'a2a_v03',
  'readiness_page',
  'mcp',
];

const HOUR_S = 3600;

/**
 * Half the cases are a merchant that is nearly ready (every listing field, full policy coverage
 * plus random facts, truth near NOW), so checkout is often allowed and the OpenAI feed lists the
 * product; the other half draw everything at random.
 */
const FULL_SELLER = {
  name: 'Northwind Outfitters',
  url: 'https://shop.example.com',
  privacyPolicyUrl: 'https://shop.example.com/privacy',
  termsUrl: 'https://shop.example.com/terms',
  storeCountry: 'DE',
  targetCountries: ['DE', 'FR'],
};
const readyProductArb = fc
  .record({
    status: fc.constantFrom(...INVENTORY_STATUSES),
    claims: fc.option(fc.constantFrom(...GENERATED_CLAIMS_STATUSES), { nil: undefined }),
    amount: fc.integer({ min: 0, max: 50_000 }),
  })
  .map(({ status, claims, amount }) =>
    listedProduct({
      inventory: freshInventory({ status }),
      price: freshPrice({ amount }),
      generatedClaims: claims === undefined ? undefined : { status: claims },
    }),
  );
const caseArb = fc.oneof(
  fc.record({
    product: listedProductArb,
    policies: policiesArb,
    context: contextArb,
    options: optionsArb,
    seller: sellerArb,
    // from a day before the facts' NOW to three days after, so facts go stale along the way
    nowMs: fc.integer({ min: -24 * HOUR_S, max: 72 * HOUR_S }).map((s) => NOW_MS + s * 1000),
  }),
  fc.record({
    product: readyProductArb,
    policies: fc.oneof(
      fc.constant(fullCoverage()),
      policiesArb.map((extra) => [...fullCoverage(), ...extra]),
    ),
    context: contextArb,
    options: optionsArb,
    seller: fc.oneof(fc.constant(FULL_SELLER), sellerArb),
    // around the facts' expiry (inventory 10 minutes, price 30 minutes after NOW)
    nowMs: fc.integer({ min: -600, max: 2400 }).map((s) => NOW_MS + s * 1000),
  }),
);

describe('every surface says what the domain decided', () => {
  it(`decodes to the domain's decision, never more optimistic (${NUM_RUNS} cases)`, () => {
    fc.assert(
      fc.property(caseArb, ({ product, policies, context, options, seller, nowMs }) => {
        const profile = evaluateProduct(
          product,
          new PolicyIndex(policies),
          context,
          nowMs,
          options,
        );
        for (const surface of productSurfaces(seller)) {
          const reading = surface.decode(surface.wire({ product, profile, nowMs }));
          expect({ surface: surface.name, found: disagreements(reading, profile) }).toEqual({
            surface: surface.name,
            found: [],
          });
          if (COMPLETE.includes(surface.name))
            expect(reading.claims).toHaveLength(profile.decisions.length);
        }
      }),
      replay,
    );
  });

  it('catches a surface that says more than the domain', () => {
    const product = listedProduct({ inventory: freshInventory({ status: 'out_of_stock' }) });
    const truth = evaluateProduct(product, new PolicyIndex(fullCoverage()), EU_CONSUMER, NOW_MS);
    const addToCart = canonicalDecisions(truth).find((d) => d.action === 'add_to_cart');
    expect(addToCart?.result).toBe('blocked');
    // A projection fed an optimistic profile: every blocked decision flipped to allowed.
    const flipped: ProductActionProfile = {
      ...truth,
      decisions: truth.decisions.map((d) =>
        d.result === 'blocked' ? { ...d, result: 'allowed', allowed: true, blockers: [] } : d,
      ),
    };
    const kinds = new Map<SurfaceName, string[]>();
    for (const surface of productSurfaces({})) {
      const reading = surface.decode(surface.wire({ product, profile: flipped, nowMs: NOW_MS }));
      kinds.set(
        surface.name,
        disagreements(reading, truth).map((d) => `${d.action}:${d.kind}`),
      );
    }
    for (const name of COMPLETE) expect(kinds.get(name)).toContain('add_to_cart:optimistic');
    expect(kinds.get('agent_feed')).toContain('add_to_cart:optimistic');
    expect(kinds.get('acp_feed')).toContain('prepare_checkout:optimistic');
    expect(kinds.get('mcp_search')).toContain('add_to_cart:optimistic');
    expect(kinds.get('acp_session')).toContain('prepare_checkout:optimistic');
    expect(kinds.get('ucp_checkout')).toContain('prepare_checkout:optimistic');
    expect(kinds.get('ucp_catalog')).toContain('prepare_checkout:optimistic');
    // every surface is exercised here: none is left out of the list above by accident
    expect([...kinds.keys()].sort()).toEqual([...SURFACE_NAMES].sort());
  });
});

describe('the ACP session surface', () => {
  const acpSession = productSurfaces({}).find((surface) => surface.name === 'acp_session');

  it.each([
    ['a ready product', listedProduct(), 'ready_for_payment'],
    [
      'an out-of-stock product',
      listedProduct({ inventory: freshInventory({ status: 'out_of_stock' }) }),
      'not_ready_for_payment',
    ],
  ])('is a valid 2026-04-17 CheckoutSession for %s', (_, product, status) => {
    const profile = evaluateProduct(product, new PolicyIndex(fullCoverage()), EU_CONSUMER, NOW_MS);
    const wire = acpSession?.wire({ product, profile, nowMs: NOW_MS }) as { status: string };
    expectAcp2026('agentic_checkout', 'CheckoutSession', wire);
    expect(wire.status).toBe(status);
  });
});

describe('the UCP checkout surface', () => {
  const ucpCheckout = productSurfaces({}).find((surface) => surface.name === 'ucp_checkout');

  it.each([
    ['a ready product', listedProduct(), 'ready_for_complete'],
    [
      'an out-of-stock product',
      listedProduct({ inventory: freshInventory({ status: 'out_of_stock' }) }),
      'incomplete',
    ],
  ])('is a valid 2026-04-08 checkout for %s', (_, product, status) => {
    const profile = evaluateProduct(product, new PolicyIndex(fullCoverage()), EU_CONSUMER, NOW_MS);
    const wire = ucpCheckout?.wire({ product, profile, nowMs: NOW_MS }) as { status: string };
    expectUcp('checkout', wire);
    expect(wire.status).toBe(status);
  });
});

describe('the "never more optimistic" order', () => {
  it('reads a yes-or-no "not allowed" as true of every result but allowed', () => {
    expect(resultVerdict('not_allowed', 'blocked')).toBe('agrees');
    expect(resultVerdict('not_allowed', 'requires_revalidation')).toBe('agrees');
    expect(resultVerdict('not_allowed', 'allowed')).toBe('mismatch');
  });

  it('calls a less severe claim optimistic and a more severe one a mismatch', () => {
    expect(isMoreOptimistic('allowed', 'requires_revalidation')).toBe(true);
    expect(resultVerdict('requires_review', 'blocked')).toBe('optimistic');
    expect(resultVerdict('blocked', 'requires_review')).toBe('mismatch');
    expect(resultVerdict('requires_review', 'requires_review')).toBe('agrees');
  });
});
