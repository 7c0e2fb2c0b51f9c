import { describe, expect, it } from 'vitest';
import type { CommerceAction, DecisionResult } from '../../src/domain/actions.js';
import type { BlockerCode } from '../../src/domain/blockers.js';
import type { EvaluationContext } from '../../src/domain/context.js';
import type { EvaluationOptions } from '../../src/domain/eligibility/evaluate.js';
import type { PolicyDomain, PolicyFact } from '../../src/domain/policy.js';
import {
  at,
  codesOf,
  coverageWithout,
  decisionOf,
  EU_CONSUMER,
  fullCoverage,
  policy,
  product,
  profileOf,
  US_CONSUMER,
  verbFor,
} from '../support/facts.js';

/** A decision to look at: an action, or quote_policy for one domain (`quote_policy/returns`). */
type Target = CommerceAction | `quote_policy/${PolicyDomain}`;
type Expected = [DecisionResult, ...BlockerCode[]];

interface Case {
  when: string;
  policies: PolicyFact[];
  context?: EvaluationContext;
  options?: EvaluationOptions;
  expect: Partial<Record<Target, Expected>>;
}

function target(name: Target): [CommerceAction, PolicyDomain | undefined] {
  const [action, domain] = name.split('/') as [CommerceAction, PolicyDomain | undefined];
  return [action, domain];
}

const returns = (id: string, overrides: Parameters<typeof policy>[1] = {}) =>
  policy('returns', { id, ...overrides });

/** Policy facts, one situation at a time, for a product whose truth is all fresh. */
const CASES: Case[] = [
  {
    when: 'two active return facts apply and their terms disagree',
    policies: coverageWithout(
      'returns',
      returns('returns-a', { terms: { days: 30 } }),
      returns('returns-b', { terms: { days: 14 } }),
    ),
    expect: {
      'quote_policy/returns': ['blocked', 'POLICY_CONFLICT'],
      quote_policy: ['blocked', 'POLICY_CONFLICT'],
      add_to_cart: ['allowed'],
      prepare_checkout: ['blocked', 'POLICY_CONFLICT'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'POLICY_CONFLICT'],
    },
  },
  {
    when: 'two active return facts have the same terms in another key order',
    policies: coverageWithout(
      'returns',
      returns('returns-a', { terms: { days: 30, fee: { amount: 0, currency: 'EUR' } } }),
      returns('returns-b', { terms: { fee: { currency: 'EUR', amount: 0 }, days: 30 } }),
    ),
    expect: {
      'quote_policy/returns': ['allowed'],
      prepare_checkout: ['allowed'],
    },
  },
  {
    when: 'a conflicting return fact is only a draft',
    policies: coverageWithout(
      'returns',
      returns('returns-a', { terms: { days: 30 } }),
      returns('returns-b', { terms: { days: 14 }, status: 'draft' }),
    ),
    expect: { 'quote_policy/returns': ['allowed'], prepare_checkout: ['allowed'] },
  },
  {
    when: 'the return fact may not be quoted to agents',
    policies: coverageWithout('returns', returns('returns-a', { quoteable: false })),
    expect: {
      'quote_policy/returns': ['blocked', 'POLICY_NOT_QUOTEABLE'],
      quote_policy: ['blocked', 'POLICY_NOT_QUOTEABLE'],
      // Quoteability is about quoting; the fact still covers checkout.
      prepare_checkout: ['allowed'],
      delegate_payment: ['allowed'],
    },
  },
  {
    when: 'two agreeing return facts apply and only one may be quoted',
    policies: coverageWithout(
      'returns',
      returns('returns-a'),
      returns('returns-b', { quoteable: false }),
    ),
    expect: {
      'quote_policy/returns': ['blocked', 'POLICY_NOT_QUOTEABLE'],
      prepare_checkout: ['allowed'],
    },
  },
  {
    when: 'the only return fact is pending approval',
    policies: coverageWithout('returns', returns('returns-a', { status: 'pending_approval' })),
    expect: {
      'quote_policy/returns': ['requires_review', 'POLICY_PENDING_APPROVAL'],
      quote_policy: ['requires_review', 'POLICY_PENDING_APPROVAL'],
      prepare_checkout: ['requires_review', 'POLICY_PENDING_APPROVAL'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'POLICY_PENDING_APPROVAL'],
    },
  },
  {
    when: 'a return fact is active and another is pending approval',
    policies: coverageWithout(
      'returns',
      returns('returns-a'),
      returns('returns-b', { status: 'pending_approval', terms: { days: 60 } }),
    ),
    expect: { 'quote_policy/returns': ['allowed'], prepare_checkout: ['allowed'] },
  },
  {
    when: 'an active shipping fact excludes the buyer region',
    context: US_CONSUMER,
    policies: coverageWithout('shipping', policy('shipping', { excludes: { regions: ['US'] } })),
    expect: {
      'quote_policy/shipping': ['blocked', 'REGION_RESTRICTED'],
      discover: ['allowed'],
      compare: ['allowed'],
      add_to_cart: ['blocked', 'REGION_RESTRICTED'],
      prepare_checkout: ['blocked', 'REGION_RESTRICTED'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'REGION_RESTRICTED'],
    },
  },
  {
    when: 'an active shipping fact excludes another region',
    context: EU_CONSUMER,
    policies: coverageWithout('shipping', policy('shipping', { excludes: { regions: ['US'] } })),
    expect: {
      'quote_policy/shipping': ['allowed'],
      add_to_cart: ['allowed'],
      prepare_checkout: ['allowed'],
    },
  },
  {
    // Approving it would restrict the region, so it is no pending coverage for the region.
    when: 'a shipping fact that excludes the region is only pending approval',
    context: US_CONSUMER,
    policies: coverageWithout(
      'shipping',
      policy('shipping', { appliesTo: { regions: ['EU'] } }),
      policy('shipping', {
        id: 'shipping-no-us',
        status: 'pending_approval',
        excludes: { regions: ['US'] },
      }),
    ),
    expect: {
      'quote_policy/shipping': ['blocked', 'SHIPPING_POLICY_MISSING'],
      add_to_cart: ['allowed'],
    },
  },
  {
    when: 'the return fact only becomes valid tomorrow',
    policies: coverageWithout('returns', returns('returns-a', { validFrom: at(86_400) })),
    expect: {
      'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'],
      prepare_checkout: ['blocked', 'RETURN_POLICY_MISSING'],
    },
  },
  {
    when: 'the return fact stopped being valid yesterday',
    policies: coverageWithout(
      'returns',
      returns('returns-a', { validFrom: at(-172_800), validTo: at(-86_400) }),
    ),
    expect: {
      'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'],
      prepare_checkout: ['blocked', 'RETURN_POLICY_MISSING'],
    },
  },
  {
    when: 'the return fact stops being valid exactly now',
    policies: coverageWithout('returns', returns('returns-a', { validTo: at(0) })),
    expect: { 'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'] },
  },
  {
    when: 'the return fact became valid exactly now',
    policies: coverageWithout('returns', returns('returns-a', { validFrom: at(0) })),
    expect: { 'quote_policy/returns': ['allowed'] },
  },
  ...(['draft', 'retired'] as const).map(
    (status): Case => ({
      when: `the only return fact is ${status}`,
      policies: coverageWithout('returns', returns('returns-a', { status })),
      expect: {
        'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'],
        prepare_checkout: ['blocked', 'RETURN_POLICY_MISSING'],
      },
    }),
  ),
  {
    when: 'the return fact is for another category',
    policies: coverageWithout(
      'returns',
      returns('returns-apparel', { appliesTo: { categories: ['apparel'] } }),
    ),
    expect: { 'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'] },
  },
  {
    when: 'the return fact is for business buyers only',
    policies: coverageWithout(
      'returns',
      returns('returns-b2b', { appliesTo: { buyerTypes: ['business'] } }),
    ),
    expect: { 'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'] },
  },
  {
    when: 'the return fact is for the storefront channel only',
    policies: coverageWithout(
      'returns',
      returns('returns-web', { appliesTo: { channels: ['storefront'] } }),
    ),
    expect: { 'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'] },
  },
  {
    when: 'the return fact names the category, region, buyer type and channel exactly',
    policies: coverageWithout(
      'returns',
      returns('returns-exact', {
        appliesTo: {
          categories: ['travel-bags'],
          regions: ['EU'],
          buyerTypes: ['consumer'],
          channels: ['agent'],
        },
      }),
    ),
    expect: { 'quote_policy/returns': ['allowed'] },
  },
  {
    when: 'warranty is missing but not required (the default: returns and shipping)',
    policies: coverageWithout('warranty'),
    expect: {
      'quote_policy/warranty': ['blocked', 'WARRANTY_POLICY_MISSING'],
      quote_policy: ['allowed'],
      prepare_checkout: ['allowed'],
    },
  },
  {
    when: 'warranty is missing and the tenant requires it',
    policies: coverageWithout('warranty'),
    options: { requiredPolicyDomains: ['returns', 'shipping', 'warranty'] },
    expect: {
      quote_policy: ['blocked', 'WARRANTY_POLICY_MISSING'],
      prepare_checkout: ['blocked', 'WARRANTY_POLICY_MISSING'],
    },
  },
  {
    when: 'returns are missing and the tenant requires only shipping',
    policies: coverageWithout('returns'),
    options: { requiredPolicyDomains: ['shipping'] },
    expect: {
      'quote_policy/returns': ['blocked', 'RETURN_POLICY_MISSING'],
      quote_policy: ['allowed'],
      prepare_checkout: ['allowed'],
    },
  },
  {
    when: 'nothing is covered and every domain is required',
    policies: [],
    options: { requiredPolicyDomains: ['returns', 'shipping', 'warranty', 'cancellation'] },
    expect: {
      prepare_checkout: [
        'blocked',
        'RETURN_POLICY_MISSING',
        'SHIPPING_POLICY_MISSING',
        'WARRANTY_POLICY_MISSING',
        'CANCELLATION_POLICY_MISSING',
      ],
    },
  },
];

describe('evaluateProduct', () => {
  describe.each(CASES)('when $when', (row) => {
    const profile = profileOf(product(), row.policies, row.context, row.options);
    for (const [name, [result, ...codes]] of Object.entries(row.expect) as [Target, Expected][]) {
      const suffix = codes.length > 0 ? ` with ${codes.join(', ')}` : '';
      it(`${verbFor(result)} ${name}${suffix}`, () => {
        const decision = decisionOf(profile, ...target(name));
        expect(decision.result).toBe(result);
        expect(codesOf(decision.blockers)).toEqual(codes);
      });
    }
  });

  describe('when policy facts conflict', () => {
    const profile = profileOf(
      product(),
      coverageWithout(
        'returns',
        returns('returns-a', { terms: { days: 30 } }),
        returns('returns-b', { terms: { days: 14 } }),
      ),
    );

    it('names every conflicting fact, never silently picking one', () => {
      const decision = decisionOf(profile, 'quote_policy', 'returns');
      expect(decision.blockers[0]?.params).toEqual({
        domain: 'returns',
        policyIds: 'returns-a, returns-b',
      });
      expect(decision.evidenceRefs).toEqual(
        expect.arrayContaining([
          { type: 'policy_fact', id: 'returns-a@v1' },
          { type: 'policy_fact', id: 'returns-b@v1' },
        ]),
      );
    });
  });

  describe('when a policy fact is restricted to a window', () => {
    it('is valid only until a covering fact closes', () => {
      const profile = profileOf(
        product(),
        coverageWithout('returns', returns('returns-a', { validTo: at(7200) })),
      );
      expect(decisionOf(profile, 'quote_policy', 'returns').validUntil).toBe(at(7200));
    });

    it('is valid only until a future fact opens, even while the domain is missing', () => {
      const profile = profileOf(
        product(),
        coverageWithout('returns', returns('returns-a', { validFrom: at(86_400) })),
      );
      const decision = decisionOf(profile, 'quote_policy', 'returns');
      expect(decision.result).toBe('blocked');
      expect(decision.validUntil).toBe(at(86_400));
    });

    it('is not bounded by a window that closed in the past', () => {
      const profile = profileOf(
        product(),
        coverageWithout(
          'returns',
          returns('returns-a'),
          returns('returns-old', { validFrom: at(-172_800), validTo: at(-86_400) }),
        ),
      );
      expect(decisionOf(profile, 'quote_policy', 'returns').validUntil).toBeNull();
    });

    it('bounds prepare_checkout by the window too', () => {
      const profile = profileOf(
        product(),
        coverageWithout('shipping', policy('shipping', { validTo: at(120) })),
      );
      expect(decisionOf(profile, 'prepare_checkout').validUntil).toBe(at(120));
    });
  });

  describe('when the buyer region is excluded from shipping', () => {
    const profile = profileOf(
      product(),
      coverageWithout('shipping', policy('shipping', { excludes: { regions: ['US'] } })),
      US_CONSUMER,
    );

    it('says which region and category, with the words to lift it', () => {
      const decision = decisionOf(profile, 'add_to_cart');
      expect(decision.blockers[0]?.message).toBe(
        'Shipping to region US is explicitly excluded for Travel Bags.',
      );
    });

    it('cites the excluding fact once in checkout', () => {
      const refs = decisionOf(profile, 'prepare_checkout').evidenceRefs.filter(
        (ref) => ref.type === 'policy_fact' && ref.id === 'shipping-all@v1',
      );
      expect(refs).toHaveLength(1);
    });
  });

  describe('with full coverage', () => {
    it('allows quoting every domain', () => {
      const profile = profileOf(product(), fullCoverage());
      for (const domain of ['returns', 'shipping', 'warranty', 'cancellation'] as const) {
        expect(decisionOf(profile, 'quote_policy', domain).result).toBe('allowed');
      }
    });
  });
});
