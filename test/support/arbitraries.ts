import fc from 'fast-check';
import type { AuthorityRequest, Mandate } from '../../src/domain/authority.js';
import { CHECKOUT_STATES } from '../../src/domain/checkout/transitions.js';
import { BUYER_TYPES, CHANNELS, type EvaluationContext } from '../../src/domain/context.js';
import type { EvaluationOptions } from '../../src/domain/eligibility/evaluate.js';
import { POLICY_DOMAINS, POLICY_STATUSES, type PolicyFact } from '../../src/domain/policy.js';
import { toInstant } from '../../src/domain/time.js';
import {
  GENERATED_CLAIMS_STATUSES,
  INVENTORY_STATUSES,
  type InventoryFact,
  PRODUCT_STATUSES,
  type PriceFact,
  type ProductFacts,
} from '../../src/domain/truth.js';
import { NOW_MS } from './facts.js';

/**
 * fast-check arbitraries over the domain's inputs. Values are drawn from small vocabularies
 * (three categories, three regions, a few terms) so that policies and products actually meet,
 * and instants lie within a few days of NOW so that facts are fresh, stale or about to expire.
 */

export const REGIONS = ['EU', 'US', 'UK'] as const;
export const CATEGORIES = ['travel-bags', 'apparel', 'shoes'] as const;
const DAY_S = 86_400;

/** An instant `seconds` from NOW, drawn between `minS` and `maxS`. */
const instantAround = (minS: number, maxS: number) =>
  fc.integer({ min: minS, max: maxS }).map((s) => toInstant(NOW_MS + s * 1000));

/** Observed up to two days ago (or, with clock skew, up to ten minutes ahead). */
const observation = {
  observedAt: instantAround(-2 * DAY_S, 600),
  ttlSeconds: fc.integer({ min: 1, max: DAY_S }),
  source: fc.constantFrom('pricing', 'wms', 'erp'),
};

export const priceArb: fc.Arbitrary<PriceFact> = fc.record({
  amount: fc.integer({ min: 0, max: 1_000_000 }),
  currency: fc.constantFrom('EUR', 'USD', 'JPY', 'KWD'),
  ...observation,
});

export const inventoryArb: fc.Arbitrary<InventoryFact> = fc.record({
  status: fc.constantFrom(...INVENTORY_STATUSES),
  ...observation,
});

export const productArb: fc.Arbitrary<ProductFacts> = fc.record({
  id: fc.constantFrom('BAG-TRAVEL-42', 'TEE-7', 'SHOE-3'),
  title: fc.constant('A product'),
  category: fc.constantFrom(...CATEGORIES),
  // Mostly active, so the other facts get to matter.
  status: fc.oneof(
    { arbitrary: fc.constant('active' as const), weight: 4 },
    { arbitrary: fc.constantFrom(...PRODUCT_STATUSES), weight: 1 },
  ),
  price: fc.option(priceArb, { nil: undefined, freq: 5 }),
  inventory: fc.option(inventoryArb, { nil: undefined, freq: 5 }),
  generatedClaims: fc.option(fc.record({ status: fc.constantFrom(...GENERATED_CLAIMS_STATUSES) }), {
    nil: undefined,
  }),
});

/** `["*"]` or a non-empty pick of the vocabulary. */
function selectorArb(values: readonly string[]): fc.Arbitrary<string[]> {
  return fc.oneof(fc.constant<string[]>(['*']), fc.subarray([...values], { minLength: 1 }));
}

/** Terms that agree (same keys in another order) or disagree. */
const TERMS: Record<string, unknown>[] = [
  { days: 30, fee: { amount: 0, currency: 'EUR' } },
  { fee: { currency: 'EUR', amount: 0 }, days: 30 },
  { days: 14 },
  { months: 24 },
];

const policyBodyArb = fc
  .record({
    domain: fc.constantFrom(...POLICY_DOMAINS),
    status: fc.oneof(
      { arbitrary: fc.constant('active' as const), weight: 3 },
      { arbitrary: fc.constantFrom(...POLICY_STATUSES), weight: 2 },
    ),
    quoteable: fc.boolean(),
    appliesTo: fc.record({
      categories: selectorArb(CATEGORIES),
      regions: selectorArb(REGIONS),
      buyerTypes: selectorArb(BUYER_TYPES),
      channels: selectorArb(CHANNELS),
    }),
    excludes: fc.option(fc.record({ regions: fc.subarray([...REGIONS]) }), {
      nil: undefined,
      freq: 3,
    }),
    validFromS: fc.integer({ min: -30 * DAY_S, max: 3 * DAY_S }),
    lengthS: fc.option(fc.integer({ min: 1, max: 60 * DAY_S }), { nil: null }),
    terms: fc.constantFrom(...TERMS),
    version: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ validFromS, lengthS, ...rest }) => ({
    ...rest,
    validFrom: toInstant(NOW_MS + validFromS * 1000),
    validTo: lengthS === null ? null : toInstant(NOW_MS + (validFromS + lengthS) * 1000),
    source: 'legal',
  }));

/**
 * Catalog-wide coverage for some domains (active or awaiting approval), the way a merchant
 * usually starts; without it random facts rarely cover a product and checkout is never allowed.
 */
const broadCoverageArb = fc.subarray([...POLICY_DOMAINS]).chain((domains) =>
  fc.tuple(
    ...domains.map((domain) =>
      fc
        .record({
          status: fc.oneof(
            { arbitrary: fc.constant('active' as const), weight: 4 },
            { arbitrary: fc.constant('pending_approval' as const), weight: 1 },
          ),
          quoteable: fc.boolean(),
        })
        .map((choice) => ({
          domain,
          ...choice,
          appliesTo: { categories: ['*'], regions: ['*'], buyerTypes: ['*'], channels: ['*'] },
          excludes: undefined,
          validFrom: '2026-01-01T00:00:00Z',
          validTo: null,
          terms: { standard: domain },
          version: 1,
          source: 'legal',
        })),
    ),
  ),
);

/** A policy set with unique ids: some broad coverage, then facts of every kind. */
export const policiesArb: fc.Arbitrary<PolicyFact[]> = fc
  .tuple(broadCoverageArb, fc.array(policyBodyArb, { maxLength: 10 }))
  .map(([broad, bodies]) =>
    [...broad, ...bodies].map((body, index) => ({ id: `policy-${index}`, ...body })),
  );

export const contextArb: fc.Arbitrary<EvaluationContext> = fc.record({
  region: fc.constantFrom(...REGIONS),
  buyerType: fc.constantFrom(...BUYER_TYPES),
  channel: fc.constantFrom(...CHANNELS),
});

export const optionsArb: fc.Arbitrary<EvaluationOptions> = fc.record({
  requiredPolicyDomains: fc.subarray([...POLICY_DOMAINS], { minLength: 1 }),
});

/** A mandate and request that pass every authority check for `product` at NOW. */
export function validAuthorityFor(product: ProductFacts): AuthorityRequest {
  const sku = product.sku ?? product.id;
  const mandate: Mandate = {
    ref: 'mandate-1',
    kind: 'ap2_payment_mandate',
    merchantId: 'merchant-1',
    checkoutSessionId: 'checkout-1',
    cartSnapshotHash: 'sha256:cart',
    maxAmount: { amount: 10_000_000, currency: 'EUR' },
    skus: [sku],
    expiresAt: toInstant(NOW_MS + 3600_000),
    humanConfirmation: { required: true, confirmedAt: toInstant(NOW_MS - 60_000) },
  };
  return {
    mandate,
    merchantId: 'merchant-1',
    checkout: {
      id: 'checkout-1',
      version: 1,
      state: 'ready_for_payment',
      total: { amount: 12900, currency: 'EUR' },
      cartSnapshotHash: 'sha256:cart',
      skus: [sku],
    },
    actor: { actorId: 'agent-7', actorType: 'agent' },
    nowMs: NOW_MS,
  };
}

/** Authority requests that may fail any check: each field right or wrong at random. */
export function authorityArb(product: ProductFacts): fc.Arbitrary<AuthorityRequest> {
  const valid = validAuthorityFor(product);
  const base = valid.mandate as Mandate;
  return fc
    .record({
      present: fc.boolean(),
      expiresInS: fc.integer({ min: -3600, max: 7200 }),
      revokedInS: fc.option(fc.integer({ min: -3600, max: 7200 }), { nil: null }),
      merchantId: fc.constantFrom('merchant-1', 'merchant-2'),
      state: fc.constantFrom(...CHECKOUT_STATES),
      currency: fc.constantFrom('EUR', 'USD'),
      limit: fc.integer({ min: 0, max: 50_000 }),
      snapshot: fc.constantFrom('sha256:cart', 'sha256:other'),
      confirmedInS: fc.option(fc.integer({ min: -3600, max: 3600 }), { nil: undefined }),
    })
    .map((r) => ({
      ...valid,
      merchantId: r.merchantId,
      checkout: { ...valid.checkout, state: r.state, cartSnapshotHash: r.snapshot },
      mandate: r.present
        ? {
            ...base,
            expiresAt: toInstant(NOW_MS + r.expiresInS * 1000),
            revokedAt: r.revokedInS === null ? null : toInstant(NOW_MS + r.revokedInS * 1000),
            maxAmount: { amount: r.limit, currency: r.currency },
            humanConfirmation: {
              required: true,
              ...(r.confirmedInS === undefined
                ? {}
                : { confirmedAt: toInstant(NOW_MS + r.confirmedInS * 1000) }),
            },
          }
        : undefined,
    }));
}

/** The facts a listing states beyond the eligibility facts, each present or not. */
export const listedProductArb: fc.Arbitrary<ProductFacts> = fc
  .tuple(
    productArb,
    fc.record(
      {
        description: fc.constantFrom('Waterproof shell.', '  '),
        url: fc.constant('https://shop.example.com/p/1'),
        imageUrl: fc.constant('https://cdn.example.com/p/1.jpg'),
        brand: fc.constant('Northwind'),
        gtin: fc.constant('4006381333931'),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([product, listing]) => ({ ...product, ...listing }));

/** A merchant's listing details, each configured or not. */
export const sellerArb = fc.record(
  {
    name: fc.constant('Northwind Outfitters'),
    url: fc.constant('https://shop.example.com'),
    privacyPolicyUrl: fc.constant('https://shop.example.com/privacy'),
    termsUrl: fc.constant('https://shop.example.com/terms'),
    storeCountry: fc.constant('DE'),
    targetCountries: fc.constantFrom(['DE'], ['DE', 'FR'], []),
  },
  { requiredKeys: [] },
);
