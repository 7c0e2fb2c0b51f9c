import { describe, expect, it } from 'vitest';
import type { CommerceAction, DecisionResult } from '../../src/domain/actions.js';
import type { BlockerCode } from '../../src/domain/blockers.js';
import { CommerceDecisionSchema, type ProductActionProfile } from '../../src/domain/decision.js';
import { decisionFor } from '../../src/domain/eligibility/evaluate.js';
import { evaluateDocument } from '../../src/domain/evaluate-document.js';
import type { PolicyDomain } from '../../src/domain/policy.js';
import { remediationOf } from '../../src/domain/remediation.js';
import { loadFixture } from '../support/facts.js';

/**
 * The DESIGN reference scenario: every surface must converge on these decisions, so they are
 * pinned here row by row, from the fixture document, through the same path the CLI takes.
 */
const doc = loadFixture('travel-backpack.json');
const { profiles } = evaluateDocument(doc);

function profileIn(region: string): ProductActionProfile {
  const found = profiles.find(
    (p) =>
      p.productId === 'BAG-TRAVEL-42' &&
      p.context.region === region &&
      p.context.buyerType === 'consumer' &&
      p.context.channel === 'agent',
  );
  if (found === undefined) throw new Error(`no ${region} consumer profile in the fixture`);
  return found;
}

const eu = profileIn('EU');
const us = profileIn('US');

interface Row {
  name: string;
  profile: ProductActionProfile;
  action: CommerceAction;
  domain?: PolicyDomain;
  result: DecisionResult;
  blockers: BlockerCode[];
  warnings?: BlockerCode[];
}

const MATRIX: Row[] = [
  {
    name: 'discover',
    profile: eu,
    action: 'discover',
    result: 'allowed',
    blockers: [],
    warnings: ['GENERATED_CLAIMS_PENDING_REVIEW'],
  },
  {
    name: 'compare',
    profile: eu,
    action: 'compare',
    result: 'allowed',
    blockers: [],
    warnings: ['GENERATED_CLAIMS_PENDING_REVIEW'],
  },
  {
    name: 'quote_policy over the required domains',
    profile: eu,
    action: 'quote_policy',
    result: 'blocked',
    blockers: ['RETURN_POLICY_MISSING'],
  },
  {
    name: 'quote_policy (returns)',
    profile: eu,
    action: 'quote_policy',
    domain: 'returns',
    result: 'blocked',
    blockers: ['RETURN_POLICY_MISSING'],
  },
  {
    name: 'quote_policy (shipping, US)',
    profile: us,
    action: 'quote_policy',
    domain: 'shipping',
    result: 'blocked',
    blockers: ['SHIPPING_POLICY_MISSING'],
  },
  {
    name: 'quote_policy (shipping, EU)',
    profile: eu,
    action: 'quote_policy',
    domain: 'shipping',
    result: 'allowed',
    blockers: [],
  },
  {
    name: 'quote_policy (warranty)',
    profile: eu,
    action: 'quote_policy',
    domain: 'warranty',
    result: 'allowed',
    blockers: [],
  },
  {
    name: 'add_to_cart',
    profile: eu,
    action: 'add_to_cart',
    result: 'requires_revalidation',
    blockers: ['INVENTORY_STALE'],
  },
  {
    name: 'prepare_checkout',
    profile: eu,
    action: 'prepare_checkout',
    result: 'blocked',
    blockers: ['INVENTORY_STALE', 'RETURN_POLICY_MISSING'],
  },
  {
    name: 'delegate_payment',
    profile: eu,
    action: 'delegate_payment',
    result: 'blocked',
    blockers: ['CHECKOUT_NOT_READY', 'INVENTORY_STALE', 'RETURN_POLICY_MISSING'],
    warnings: ['AUTHORITY_CHECKED_PER_REQUEST'],
  },
];

describe('the Travel Backpack reference scenario', () => {
  it('parses as a facts document with one product in the EU and US consumer contexts', () => {
    expect(doc.products.map((p) => p.id)).toEqual(['BAG-TRAVEL-42']);
    expect(profiles).toHaveLength(2);
  });

  describe.each(MATRIX)('$name', (row) => {
    const decision = decisionFor(row.profile, row.action, row.domain);

    it(`is ${row.result}`, () => {
      expect(decision?.result).toBe(row.result);
      expect(decision?.allowed).toBe(row.result === 'allowed');
    });

    it(`names the blockers ${row.blockers.join(', ') || '(none)'}`, () => {
      expect(decision?.blockers.map((b) => b.code)).toEqual(row.blockers);
    });

    it(`warns ${(row.warnings ?? []).join(', ') || '(nothing)'}`, () => {
      expect(decision?.warnings.map((w) => w.code)).toEqual(row.warnings ?? []);
    });

    it('is a valid CommerceDecision', () => {
      expect(CommerceDecisionSchema.safeParse(decision).success).toBe(true);
    });
  });

  describe('when the return policy is missing', () => {
    it('names the category by its display name, in the words an operator acts on', () => {
      const returns = decisionFor(eu, 'quote_policy', 'returns');
      expect(returns?.blockers[0]?.message).toBe(
        'No active return-policy fact applies to Travel Bags for this buyer context.',
      );
      expect(returns?.blockers[0]?.nextAction).toBe(
        'Attach or approve return-policy coverage for Travel Bags.',
      );
    });
  });

  describe('when inventory is stale', () => {
    it('says when the inventory fact expired (08:00 + 15 min)', () => {
      const addToCart = decisionFor(eu, 'add_to_cart');
      expect(addToCart?.blockers[0]?.params).toEqual({ expiredAt: '2026-06-28T08:15:00.000Z' });
    });

    it('keeps the decision valid only as long as the fresh price (08:30 + 1 h)', () => {
      expect(decisionFor(eu, 'add_to_cart')?.validUntil).toBe('2026-06-28T09:30:00.000Z');
      expect(eu.validUntil).toBe('2026-06-28T09:30:00.000Z');
    });

    it('names both truth facts it relied on as evidence', () => {
      expect(decisionFor(eu, 'add_to_cart')?.evidenceRefs).toEqual(
        expect.arrayContaining([
          { type: 'commercial_truth', id: 'BAG-TRAVEL-42/price@2026-06-28T08:30:00Z' },
          { type: 'commercial_truth', id: 'BAG-TRAVEL-42/inventory@2026-06-28T08:00:00Z' },
        ]),
      );
    });
  });

  describe('when quoting EU shipping', () => {
    it('cites the shipping policy fact and the rule it applied', () => {
      expect(decisionFor(eu, 'quote_policy', 'shipping')?.evidenceRefs).toEqual([
        { type: 'eligibility_rule', id: `${eu.rulesetVersion}/quote_policy/shipping` },
        { type: 'policy_fact', id: 'shipping-eu@v1' },
      ]);
    });
  });
});

describe('remediationOf the Travel Backpack', () => {
  const euView = remediationOf(eu);
  const usView = remediationOf(us);

  it('is partially ready in both contexts', () => {
    expect(euView.readiness).toBe('partially_ready');
    expect(usView.readiness).toBe('partially_ready');
  });

  it('lists the same decisions as allowed that the agents get', () => {
    expect(euView.allowed).toEqual([
      { action: 'discover' },
      { action: 'compare' },
      { action: 'quote_policy', policyDomain: 'shipping' },
      { action: 'quote_policy', policyDomain: 'warranty' },
    ]);
  });

  it('asks to approve return-policy coverage for Travel Bags, for quoting and checkout', () => {
    const item = euView.remediation.find((i) => i.code === 'RETURN_POLICY_MISSING');
    expect(item?.severity).toBe('blocker');
    expect(item?.nextAction).toBe('Attach or approve return-policy coverage for Travel Bags.');
    expect(item?.affects).toEqual(
      expect.arrayContaining([
        { action: 'quote_policy', policyDomain: 'returns' },
        { action: 'prepare_checkout' },
        { action: 'delegate_payment' },
      ]),
    );
  });

  it('asks to add or explicitly block US shipping, in the US only', () => {
    const item = usView.remediation.find((i) => i.code === 'SHIPPING_POLICY_MISSING');
    expect(item?.nextAction).toBe('Add shipping coverage for US, or explicitly exclude US.');
    expect(item?.affects).toEqual(
      expect.arrayContaining([
        { action: 'quote_policy', policyDomain: 'shipping' },
        { action: 'prepare_checkout' },
      ]),
    );
    expect(euView.remediation.map((i) => i.code)).not.toContain('SHIPPING_POLICY_MISSING');
  });

  it('asks to revalidate inventory, for add_to_cart and checkout', () => {
    const item = euView.remediation.find((i) => i.code === 'INVENTORY_STALE');
    expect(item?.nextAction).toBe('Revalidate inventory with the warehouse system.');
    expect(item?.affects).toEqual([
      { action: 'add_to_cart' },
      { action: 'prepare_checkout' },
      { action: 'delegate_payment' },
    ]);
  });

  it('asks to review the generated description, as a warning', () => {
    const item = euView.remediation.find((i) => i.code === 'GENERATED_CLAIMS_PENDING_REVIEW');
    expect(item?.severity).toBe('warning');
    expect(item?.nextAction).toBe('Review the generated product description.');
    expect(item?.affects).toEqual([{ action: 'discover' }, { action: 'compare' }]);
  });

  it('lists blockers before warnings, and nothing that is only a consequence', () => {
    // The per-domain cancellation quote is blocked too, so its coverage is work as well.
    expect(euView.remediation.map((i) => i.code)).toEqual([
      'RETURN_POLICY_MISSING',
      'INVENTORY_STALE',
      'CANCELLATION_POLICY_MISSING',
      'GENERATED_CLAIMS_PENDING_REVIEW',
    ]);
    expect(usView.remediation.map((i) => i.code)).toEqual([
      'RETURN_POLICY_MISSING',
      'SHIPPING_POLICY_MISSING',
      'INVENTORY_STALE',
      'CANCELLATION_POLICY_MISSING',
      'GENERATED_CLAIMS_PENDING_REVIEW',
    ]);
  });
});
