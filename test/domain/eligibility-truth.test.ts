import { describe, expect, it } from 'vitest';
import type { CommerceAction, DecisionResult } from '../../src/domain/actions.js';
import { COMMERCE_ACTIONS } from '../../src/domain/actions.js';
import type { BlockerCode } from '../../src/domain/blockers.js';
import { CommerceDecisionSchema } from '../../src/domain/decision.js';
import { unknownProductProfile } from '../../src/domain/eligibility/evaluate.js';
import { POLICY_DOMAINS } from '../../src/domain/policy.js';
import type { ProductFacts } from '../../src/domain/truth.js';
import {
  at,
  codesOf,
  decisionOf,
  EU_CONSUMER,
  freshInventory,
  freshPrice,
  NOW,
  NOW_MS,
  product,
  profileOf,
  staleInventory,
  stalePrice,
  verbFor,
} from '../support/facts.js';

/** What one action should come out as: its result, then its blocker codes in order. */
type Expected = [DecisionResult, ...BlockerCode[]];

interface Case {
  when: string;
  product: ProductFacts;
  expect: Partial<Record<CommerceAction, Expected>>;
}

/**
 * Commercial truth, one fact at a time: every other fact fresh and every policy domain covered,
 * so each row's blockers come from the one fact it changes.
 */
const CASES: Case[] = [
  {
    when: 'every fact is fresh and the product is in stock',
    product: product(),
    expect: {
      discover: ['allowed'],
      compare: ['allowed'],
      quote_policy: ['allowed'],
      add_to_cart: ['allowed'],
      prepare_checkout: ['allowed'],
      delegate_payment: ['allowed'],
    },
  },
  ...(['inactive', 'draft', 'archived'] as const).map(
    (status): Case => ({
      when: `the product is ${status} in the catalog`,
      product: product({ status }),
      expect: {
        discover: ['blocked', 'PRODUCT_INACTIVE'],
        compare: ['blocked', 'PRODUCT_INACTIVE'],
        quote_policy: ['blocked', 'PRODUCT_INACTIVE'],
        add_to_cart: ['blocked', 'PRODUCT_INACTIVE'],
        prepare_checkout: ['blocked', 'PRODUCT_INACTIVE'],
        delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'PRODUCT_INACTIVE'],
      },
    }),
  ),
  {
    when: 'there is no price fact',
    product: product({ price: undefined }),
    expect: {
      discover: ['allowed'],
      compare: ['blocked', 'PRICE_MISSING'],
      add_to_cart: ['blocked', 'PRICE_MISSING'],
      prepare_checkout: ['blocked', 'PRICE_MISSING'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'PRICE_MISSING'],
    },
  },
  {
    when: 'the price is stale',
    product: product({ price: stalePrice() }),
    expect: {
      discover: ['allowed'],
      compare: ['requires_revalidation', 'PRICE_STALE'],
      quote_policy: ['allowed'],
      add_to_cart: ['requires_revalidation', 'PRICE_STALE'],
      prepare_checkout: ['blocked', 'PRICE_STALE'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'PRICE_STALE'],
    },
  },
  {
    when: 'the price expires exactly now',
    product: product({ price: freshPrice({ observedAt: at(-3600), ttlSeconds: 3600 }) }),
    expect: {
      compare: ['requires_revalidation', 'PRICE_STALE'],
      prepare_checkout: ['blocked', 'PRICE_STALE'],
    },
  },
  {
    when: 'the price expires one second from now',
    product: product({ price: freshPrice({ observedAt: at(-3599), ttlSeconds: 3600 }) }),
    expect: { compare: ['allowed'], prepare_checkout: ['allowed'] },
  },
  {
    when: 'there is no inventory fact',
    product: product({ inventory: undefined }),
    expect: {
      discover: ['allowed'],
      compare: ['allowed'],
      add_to_cart: ['blocked', 'INVENTORY_MISSING'],
      prepare_checkout: ['blocked', 'INVENTORY_MISSING'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'INVENTORY_MISSING'],
    },
  },
  {
    when: 'inventory is stale',
    product: product({ inventory: staleInventory() }),
    expect: {
      compare: ['allowed'],
      add_to_cart: ['requires_revalidation', 'INVENTORY_STALE'],
      prepare_checkout: ['blocked', 'INVENTORY_STALE'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'INVENTORY_STALE'],
    },
  },
  {
    when: 'the product is out of stock by a fresh fact',
    product: product({ inventory: freshInventory({ status: 'out_of_stock', quantity: 0 }) }),
    expect: {
      discover: ['allowed'],
      compare: ['allowed'],
      add_to_cart: ['blocked', 'OUT_OF_STOCK'],
      prepare_checkout: ['blocked', 'OUT_OF_STOCK'],
      delegate_payment: ['blocked', 'CHECKOUT_NOT_READY', 'OUT_OF_STOCK'],
    },
  },
  {
    // Staleness never helps: a stale "out of stock" still says out of stock.
    when: 'the product is out of stock by a stale fact',
    product: product({ inventory: staleInventory({ status: 'out_of_stock' }) }),
    expect: {
      add_to_cart: ['blocked', 'INVENTORY_STALE', 'OUT_OF_STOCK'],
      prepare_checkout: ['blocked', 'INVENTORY_STALE', 'OUT_OF_STOCK'],
    },
  },
  {
    when: 'stock is low but fresh',
    product: product({ inventory: freshInventory({ status: 'low_stock', quantity: 2 }) }),
    expect: { add_to_cart: ['allowed'], prepare_checkout: ['allowed'] },
  },
  {
    when: 'the price is stale and inventory is missing',
    product: product({ price: stalePrice(), inventory: undefined }),
    expect: {
      add_to_cart: ['blocked', 'PRICE_STALE', 'INVENTORY_MISSING'],
      prepare_checkout: ['blocked', 'PRICE_STALE', 'INVENTORY_MISSING'],
    },
  },
];

describe('evaluateProduct', () => {
  describe.each(CASES)('when $when', (row) => {
    const profile = profileOf(row.product);
    const entries = Object.entries(row.expect) as [CommerceAction, Expected][];

    for (const [action, [result, ...codes]] of entries) {
      const suffix = codes.length > 0 ? ` with ${codes.join(', ')}` : '';
      it(`${verbFor(result)} ${action}${suffix}`, () => {
        const decision = decisionOf(profile, action);
        expect(decision.result).toBe(result);
        expect(codesOf(decision.blockers)).toEqual(codes);
      });
    }
  });

  describe('when the product is not active', () => {
    it('says which catalog status it has', () => {
      const discover = decisionOf(profileOf(product({ status: 'archived' })), 'discover');
      expect(discover.blockers[0]?.message).toBe(
        'The product is not active in the catalog (status archived).',
      );
    });
  });

  describe('when the price is stale', () => {
    const profile = profileOf(product({ price: stalePrice() }));

    it('says when it expired', () => {
      expect(decisionOf(profile, 'compare').blockers[0]?.params).toEqual({
        expiredAt: at(-900),
      });
    });

    it('still names the stale price it looked at as evidence', () => {
      expect(decisionOf(profile, 'compare').evidenceRefs).toContainEqual({
        type: 'commercial_truth',
        id: `BAG-TRAVEL-42/price@${stalePrice().observedAt}`,
      });
    });

    it('does not claim validity from the stale fact', () => {
      expect(decisionOf(profile, 'compare').validUntil).toBeNull();
    });
  });

  describe('when every fact is fresh', () => {
    const profile = profileOf(product());

    it('is valid until the earliest fact expires (inventory, 10 minutes from now)', () => {
      expect(decisionOf(profile, 'add_to_cart').validUntil).toBe(at(600));
      expect(decisionOf(profile, 'compare').validUntil).toBe(at(1800));
      expect(profile.validUntil).toBe(at(600));
    });

    it('leaves decisions that rely on no expiring fact open-ended', () => {
      expect(decisionOf(profile, 'discover').validUntil).toBeNull();
    });

    it('says payment authority is checked on each request', () => {
      expect(codesOf(decisionOf(profile, 'delegate_payment').warnings)).toEqual([
        'AUTHORITY_CHECKED_PER_REQUEST',
      ]);
    });

    it('stamps every decision with now and the ruleset version', () => {
      for (const decision of profile.decisions) {
        expect(decision.evaluatedAt).toBe(NOW);
        expect(decision.rulesetVersion).toBe(profile.rulesetVersion);
      }
    });
  });

  describe('generated claims', () => {
    const CLAIMS = [
      { status: 'pending_review', warning: ['GENERATED_CLAIMS_PENDING_REVIEW'] },
      { status: 'blocked', warning: ['GENERATED_CLAIMS_BLOCKED'] },
      { status: 'approved', warning: [] },
      { status: undefined, warning: [] },
    ] as const;

    describe.each(CLAIMS)('when they are $status', ({ status, warning }) => {
      const profile = profileOf(
        product({ generatedClaims: status === undefined ? undefined : { status } }),
      );

      it(`allows discover and compare, warning ${warning.join(', ') || 'nothing'}`, () => {
        for (const action of ['discover', 'compare'] as const) {
          const decision = decisionOf(profile, action);
          expect(decision.result).toBe('allowed');
          expect(codesOf(decision.warnings)).toEqual(warning);
        }
      });

      it('never holds back checkout', () => {
        expect(decisionOf(profile, 'prepare_checkout').result).toBe('allowed');
      });
    });
  });
});

describe('unknownProductProfile', () => {
  const profile = unknownProductProfile('NO-SUCH-SKU', EU_CONSUMER, NOW_MS);

  it('has one decision per action plus one per policy domain', () => {
    expect(profile.decisions).toHaveLength(COMMERCE_ACTIONS.length + POLICY_DOMAINS.length);
    expect(new Set(profile.decisions.map((d) => d.action))).toEqual(new Set(COMMERCE_ACTIONS));
  });

  it('blocks every action with PRODUCT_UNKNOWN, naming the id', () => {
    for (const decision of profile.decisions) {
      expect(decision.result).toBe('blocked');
      expect(decision.allowed).toBe(false);
      expect(codesOf(decision.blockers)).toEqual(['PRODUCT_UNKNOWN']);
      expect(decision.blockers[0]?.message).toBe('No product NO-SUCH-SKU is known.');
    }
  });

  it('emits decisions that validate as CommerceDecisions', () => {
    for (const decision of profile.decisions) {
      expect(CommerceDecisionSchema.safeParse(decision).success).toBe(true);
    }
  });
});
