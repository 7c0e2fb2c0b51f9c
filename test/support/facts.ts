import { readFileSync } from 'node:fs';
import type { CommerceAction, DecisionResult } from '../../src/domain/actions.js';
import type { AuthorityRequest, Mandate } from '../../src/domain/authority.js';
import type { BlockerCode } from '../../src/domain/blockers.js';
import type { EvaluationContext } from '../../src/domain/context.js';
import type { CommerceDecision, ProductActionProfile } from '../../src/domain/decision.js';
import {
  decisionFor,
  type EvaluationOptions,
  evaluateProduct,
} from '../../src/domain/eligibility/evaluate.js';
import { type FactsDocument, FactsDocumentSchema } from '../../src/domain/facts-document.js';
import {
  POLICY_DOMAINS,
  type PolicyDomain,
  type PolicyFact,
  PolicyIndex,
} from '../../src/domain/policy.js';
import { toInstant, toMs } from '../../src/domain/time.js';
import type { InventoryFact, PriceFact, ProductFacts } from '../../src/domain/truth.js';

/**
 * Builders for domain tests: each returns a complete, valid value that an override changes in
 * one respect, so a test reads as the one fact it is about.
 */

export const NOW = '2026-06-28T09:00:00.000Z';
export const NOW_MS = toMs(NOW);

export const EU_CONSUMER: EvaluationContext = {
  region: 'EU',
  buyerType: 'consumer',
  channel: 'agent',
};
export const US_CONSUMER: EvaluationContext = {
  region: 'US',
  buyerType: 'consumer',
  channel: 'agent',
};

/** An instant `seconds` away from NOW (negative: in the past). */
export function at(seconds: number): string {
  return toInstant(NOW_MS + seconds * 1000);
}

/** Fresh for another 30 minutes. */
export function freshPrice(overrides: Partial<PriceFact> = {}): PriceFact {
  return {
    amount: 12900,
    currency: 'EUR',
    observedAt: at(-1800),
    ttlSeconds: 3600,
    source: 'pricing',
    ...overrides,
  };
}

/** Expired 15 minutes ago. */
export function stalePrice(overrides: Partial<PriceFact> = {}): PriceFact {
  return freshPrice({ observedAt: at(-4500), ...overrides });
}

/** Fresh for another 10 minutes. */
export function freshInventory(overrides: Partial<InventoryFact> = {}): InventoryFact {
  return { status: 'in_stock', observedAt: at(-300), ttlSeconds: 900, source: 'wms', ...overrides };
}

/** Expired 45 minutes ago. */
export function staleInventory(overrides: Partial<InventoryFact> = {}): InventoryFact {
  return freshInventory({ observedAt: at(-3600), ...overrides });
}

/** An active product whose truth is all fresh and whose generated claims are approved. */
export function product(overrides: Partial<ProductFacts> = {}): ProductFacts {
  return {
    id: 'BAG-TRAVEL-42',
    sku: 'BAG-TRAVEL-42',
    title: 'Travel Backpack',
    category: 'travel-bags',
    categoryName: 'Travel Bags',
    status: 'active',
    price: freshPrice(),
    inventory: freshInventory(),
    generatedClaims: { status: 'approved' },
    ...overrides,
  };
}

/** `product()` with every fact a catalog listing states: description, URLs and brand. */
export function listedProduct(overrides: Partial<ProductFacts> = {}): ProductFacts {
  return product({
    description: 'A backpack for a week on the road.',
    url: 'https://shop.example.com/p/bag-travel-42',
    imageUrl: 'https://cdn.example.com/p/bag-travel-42.jpg',
    brand: 'Northwind',
    ...overrides,
  });
}

/** An active, quoteable policy that applies everywhere from the start of 2026, open-ended. */
export function policy(
  domain: PolicyDomain,
  overrides: Partial<Omit<PolicyFact, 'appliesTo'>> & {
    appliesTo?: Partial<PolicyFact['appliesTo']>;
  } = {},
): PolicyFact {
  const { appliesTo, ...rest } = overrides;
  return {
    id: `${domain}-all`,
    domain,
    status: 'active',
    quoteable: true,
    appliesTo: {
      categories: ['*'],
      regions: ['*'],
      buyerTypes: ['*'],
      channels: ['*'],
      ...appliesTo,
    },
    validFrom: '2026-01-01T00:00:00Z',
    validTo: null,
    terms: { days: 30 },
    source: 'legal',
    version: 1,
    ...rest,
  };
}

/** One active, quoteable, agreed fact for every policy domain. */
export function fullCoverage(): PolicyFact[] {
  return POLICY_DOMAINS.map((domain) => policy(domain));
}

/** Every domain covered except `domain`, plus `extra` facts. */
export function coverageWithout(domain: PolicyDomain, ...extra: PolicyFact[]): PolicyFact[] {
  return [...fullCoverage().filter((fact) => fact.domain !== domain), ...extra];
}

/** A mandate that satisfies every authority check against `authorityRequest()`. */
export function mandate(overrides: Partial<Mandate> = {}): Mandate {
  return {
    ref: 'mandate-1',
    kind: 'ap2_payment_mandate',
    merchantId: 'merchant-1',
    checkoutSessionId: 'checkout-1',
    cartSnapshotHash: 'sha256:cart-1',
    maxAmount: { amount: 20000, currency: 'EUR' },
    skus: ['BAG-TRAVEL-42'],
    expiresAt: at(3600),
    revokedAt: null,
    humanConfirmation: { required: true, confirmedAt: at(-60) },
    allowedActors: { actorIds: ['agent-7'], actorTypes: ['agent'] },
    ...overrides,
  };
}

type CheckoutOverrides = Partial<AuthorityRequest['checkout']>;

/** A valid request to delegate payment for one Travel Backpack in a prepared checkout. */
export function authorityRequest(
  overrides: Partial<Omit<AuthorityRequest, 'checkout'>> & { checkout?: CheckoutOverrides } = {},
): AuthorityRequest {
  const { checkout, ...rest } = overrides;
  return {
    mandate: mandate(),
    merchantId: 'merchant-1',
    checkout: {
      id: 'checkout-1',
      version: 3,
      state: 'ready_for_payment',
      total: { amount: 12900, currency: 'EUR' },
      cartSnapshotHash: 'sha256:cart-1',
      skus: ['BAG-TRAVEL-42'],
      ...checkout,
    },
    actor: { actorId: 'agent-7', actorType: 'agent' },
    nowMs: NOW_MS,
    ...rest,
  };
}

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** A fixture document, parsed the way the CLI and the ingress parse it. */
export function loadFixture(name: string): FactsDocument {
  const json: unknown = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
  return FactsDocumentSchema.parse(json);
}

/** A product's profile in `context` at NOW against `policies` (full coverage unless given). */
export function profileOf(
  facts: ProductFacts,
  policies: readonly PolicyFact[] = fullCoverage(),
  context: EvaluationContext = EU_CONSUMER,
  options?: EvaluationOptions,
  authority?: AuthorityRequest,
): ProductActionProfile {
  return evaluateProduct(facts, new PolicyIndex(policies), context, NOW_MS, options, authority);
}

/** The one decision for `action` (and `domain`) in a profile; fails the test when absent. */
export function decisionOf(
  profile: ProductActionProfile,
  action: CommerceAction,
  domain?: PolicyDomain,
): CommerceDecision {
  const decision = decisionFor(profile, action, domain);
  if (decision === undefined) throw new Error(`no ${action} ${domain ?? ''} decision in profile`);
  return decision;
}

export function codesOf(blockers: readonly { code: BlockerCode }[]): BlockerCode[] {
  return blockers.map((b) => b.code);
}

/** How a test name says a result: "blocks", "requires revalidation for", ... */
export function verbFor(result: DecisionResult): string {
  switch (result) {
    case 'allowed':
      return 'allows';
    case 'requires_revalidation':
      return 'requires revalidation for';
    case 'requires_review':
      return 'requires review for';
    case 'blocked':
      return 'blocks';
  }
}
