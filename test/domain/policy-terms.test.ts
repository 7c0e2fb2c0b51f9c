import { describe, expect, it } from 'vitest';
import { citedPolicyIds, type PolicyFact, quotableTerms } from '../../src/domain/index.js';
import {
  coverageWithout,
  decisionOf,
  fullCoverage,
  policy,
  product,
  profileOf,
} from '../support/facts.js';

/** The terms a surface may quote: the cited facts' terms, and only for an allowed quote. */
describe('quotableTerms', () => {
  const bag = product();
  const shippingEu = policy('shipping', {
    id: 'shipping-eu',
    terms: { days: '2-4' },
    source: 'logistics',
    appliesTo: { regions: ['EU'] },
  });
  const policies = coverageWithout('shipping', shippingEu);

  describe('when the quote decision is allowed', () => {
    it('gives the cited facts their terms, with where they come from', () => {
      const decision = decisionOf(profileOf(bag, policies), 'quote_policy', 'shipping');
      expect(citedPolicyIds(decision)).toEqual(['shipping-eu']);
      expect(quotableTerms(decision, policies)).toEqual({
        domain: 'shipping',
        terms: { days: '2-4' },
        policies: [{ id: 'shipping-eu', version: 1, source: 'logistics' }],
      });
    });

    it('gives nothing when the stored fact is not the version the decision cites', () => {
      const decision = decisionOf(profileOf(bag, policies), 'quote_policy', 'shipping');
      const edited: PolicyFact = { ...shippingEu, version: 2, terms: { days: '9-12' } };
      expect(quotableTerms(decision, [edited])).toBeUndefined();
      expect(quotableTerms(decision, [])).toBeUndefined();
    });

    it('gives one set of terms when two facts agree on them', () => {
      const twin = { ...shippingEu, id: 'shipping-eu-2', terms: { days: '2-4' } };
      const both = [...policies, twin];
      const decision = decisionOf(profileOf(bag, both), 'quote_policy', 'shipping');
      expect(quotableTerms(decision, both)?.policies.map((p) => p.id)).toEqual([
        'shipping-eu',
        'shipping-eu-2',
      ]);
    });
  });

  describe('when the quote decision is not allowed', () => {
    it.each([
      ['missing', coverageWithout('returns')],
      ['not quoteable', coverageWithout('returns', policy('returns', { quoteable: false }))],
      [
        'awaiting approval',
        coverageWithout('returns', policy('returns', { status: 'pending_approval' })),
      ],
      [
        'in conflict',
        coverageWithout(
          'returns',
          policy('returns'),
          policy('returns', { id: 'r2', terms: { days: 14 } }),
        ),
      ],
    ])('gives no terms when returns are %s', (_why, facts) => {
      const decision = decisionOf(profileOf(bag, facts), 'quote_policy', 'returns');
      expect(decision.result).not.toBe('allowed');
      expect(quotableTerms(decision, facts)).toBeUndefined();
    });

    it('gives no terms for an inactive product, however well covered', () => {
      const decision = decisionOf(
        profileOf(product({ status: 'inactive' }), fullCoverage()),
        'quote_policy',
        'warranty',
      );
      expect(quotableTerms(decision, fullCoverage())).toBeUndefined();
    });

    it('gives no terms for the overall quote decision, which names no domain', () => {
      const decision = decisionOf(profileOf(bag, fullCoverage()), 'quote_policy');
      expect(decision.result).toBe('allowed');
      expect(quotableTerms(decision, fullCoverage())).toBeUndefined();
    });
  });
});
