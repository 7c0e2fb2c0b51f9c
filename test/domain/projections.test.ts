import { describe, expect, it } from 'vitest';
import {
  actionAllowed,
  actionResult,
  type BlockerCode,
  blocker,
  type CommerceAction,
  type CommerceDecision,
  checkoutEligible,
  DECISION_RESULTS,
  type DecisionResult,
  isAllowed,
  type PolicyDomain,
  type ProductActionProfile,
  searchEligible,
  statedBlockerCodes,
} from '../../src/domain/index.js';
import { EU_CONSUMER, NOW } from '../support/facts.js';

function decision(
  action: CommerceAction,
  result: DecisionResult,
  codes: BlockerCode[] = [],
  policyDomain?: PolicyDomain,
): CommerceDecision {
  const built: CommerceDecision = {
    action,
    result,
    allowed: result === 'allowed',
    blockers: codes.map((code) => blocker(code)),
    warnings: [],
    evidenceRefs: [],
    evaluatedAt: NOW,
    validUntil: null,
    rulesetVersion: 'test',
  };
  if (policyDomain !== undefined) built.policyDomain = policyDomain;
  return built;
}

function profile(...decisions: CommerceDecision[]): ProductActionProfile {
  return {
    productId: 'P-1',
    context: EU_CONSUMER,
    rulesetVersion: 'test',
    evaluatedAt: NOW,
    validUntil: null,
    decisions,
  };
}

describe('isAllowed', () => {
  it.each(DECISION_RESULTS.map((result) => [result, result === 'allowed'] as const))(
    'a %s decision allows: %s',
    (result, expected) => {
      expect(isAllowed(decision('discover', result))).toBe(expected);
    },
  );

  it('no decision allows nothing', () => {
    expect(isAllowed(undefined)).toBe(false);
  });
});

describe('actionResult and actionAllowed', () => {
  it('state the decision of the action asked for', () => {
    const p = profile(decision('discover', 'allowed'), decision('add_to_cart', 'requires_review'));
    expect(actionResult(p, 'add_to_cart')).toBe('requires_review');
    expect(actionAllowed(p, 'add_to_cart')).toBe(false);
    expect(actionAllowed(p, 'discover')).toBe(true);
  });

  describe('when the profile has no decision for the action', () => {
    it('reads it as blocked, never allowed', () => {
      const p = profile(decision('discover', 'allowed'));
      expect(actionResult(p, 'compare')).toBe('blocked');
      expect(actionAllowed(p, 'compare')).toBe(false);
    });
  });
});

describe('searchEligible and checkoutEligible', () => {
  const cases: [string, CommerceDecision[], boolean, boolean][] = [
    [
      'both allowed',
      [decision('discover', 'allowed'), decision('prepare_checkout', 'allowed')],
      true,
      true,
    ],
    [
      'checkout blocked',
      [decision('discover', 'allowed'), decision('prepare_checkout', 'blocked')],
      true,
      false,
    ],
    [
      'checkout allowed but discover needs review: nothing is bought that cannot be found',
      [decision('discover', 'requires_review'), decision('prepare_checkout', 'allowed')],
      false,
      false,
    ],
    [
      'checkout to revalidate',
      [decision('discover', 'allowed'), decision('prepare_checkout', 'requires_revalidation')],
      true,
      false,
    ],
    ['no decisions at all', [], false, false],
  ];
  it.each(cases)('%s', (_name, decisions, search, checkout) => {
    const p = profile(...decisions);
    expect(searchEligible(p)).toBe(search);
    expect(checkoutEligible(p)).toBe(checkout);
  });
});

describe('statedBlockerCodes', () => {
  it('lists each code behind the actions once, in the order the decisions give them', () => {
    const p = profile(
      decision('discover', 'allowed'),
      decision('quote_policy', 'blocked', ['RETURN_POLICY_MISSING']),
      decision('add_to_cart', 'requires_revalidation', ['INVENTORY_STALE']),
      decision('prepare_checkout', 'blocked', ['RETURN_POLICY_MISSING', 'INVENTORY_STALE']),
    );
    expect(statedBlockerCodes(p)).toEqual(['RETURN_POLICY_MISSING', 'INVENTORY_STALE']);
  });

  it('leaves out the per-domain quote decisions, which are detail of quote_policy', () => {
    const p = profile(
      decision('quote_policy', 'allowed'),
      decision('quote_policy', 'blocked', ['WARRANTY_POLICY_MISSING'], 'warranty'),
    );
    expect(statedBlockerCodes(p)).toEqual([]);
  });
});
