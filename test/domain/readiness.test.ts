import { describe, expect, it } from 'vitest';
import {
  COMMERCE_ACTIONS,
  type DecisionOutcome,
  READINESS_RULES,
  readinessEntryOf,
} from '../../src/domain/index.js';

const allowed = (action: DecisionOutcome['action']): DecisionOutcome => ({
  action,
  result: 'allowed',
  blockers: [],
});
const everyAction = COMMERCE_ACTIONS.map(allowed);
const withDecision = (decision: DecisionOutcome) =>
  everyAction.map((d) => (d.action === decision.action ? decision : d));

describe('readinessEntryOf', () => {
  it.each([
    ['every decision allowed', everyAction, 'ready', []],
    [
      'discover allowed, checkout blocked',
      withDecision({
        action: 'prepare_checkout',
        result: 'blocked',
        blockers: [{ code: 'RETURN_POLICY_MISSING' }],
      }),
      'partially_ready',
      ['RETURN_POLICY_MISSING'],
    ],
    [
      'add to cart waiting for revalidation',
      withDecision({
        action: 'add_to_cart',
        result: 'requires_revalidation',
        blockers: [{ code: 'INVENTORY_STALE' }],
      }),
      'partially_ready',
      ['INVENTORY_STALE'],
    ],
    [
      'discover blocked',
      withDecision({
        action: 'discover',
        result: 'blocked',
        blockers: [{ code: 'PRODUCT_INACTIVE' }],
      }),
      'blocked',
      ['PRODUCT_INACTIVE'],
    ],
    ['no discover decision at all', everyAction.slice(1), 'blocked', []],
  ] as const)('when %s it is %s', (_, decisions, state, codes) => {
    expect(readinessEntryOf(decisions)).toEqual({ state, codes });
  });

  it('lists each code once, sorted, and leaves consequences out', () => {
    const entry = readinessEntryOf([
      allowed('discover'),
      {
        action: 'quote_policy',
        result: 'blocked',
        blockers: [{ code: 'SHIPPING_POLICY_MISSING' }],
      },
      {
        action: 'prepare_checkout',
        result: 'blocked',
        blockers: [{ code: 'SHIPPING_POLICY_MISSING' }, { code: 'INVENTORY_STALE' }],
      },
      {
        action: 'delegate_payment',
        result: 'blocked',
        blockers: [{ code: 'CHECKOUT_NOT_READY' }, { code: 'INVENTORY_STALE' }],
      },
    ]);
    expect(entry).toEqual({
      state: 'partially_ready',
      codes: ['INVENTORY_STALE', 'SHIPPING_POLICY_MISSING'],
    });
  });

  it('ends its table with a row that always holds, so every profile has a state', () => {
    expect(READINESS_RULES.at(-1)?.when([])).toBe(true);
  });
});
