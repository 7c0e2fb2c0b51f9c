import { describe, expect, it } from 'vitest';
import { AUTHORITY_CHECKS } from '../../src/domain/authority.js';
import {
  BLOCKERS,
  type BlockerCode,
  blocker,
  POLICY_MISSING_CODE,
  RETIRED_BLOCKER_CODES,
} from '../../src/domain/blockers.js';
import { EFFECT_CHAIN, EFFECT_OUTCOMES } from '../../src/domain/checkout/effect-chain.js';
import { BlockerSchema } from '../../src/domain/decision.js';
import { DEFAULT_SEVERITY, ELIGIBILITY_RULES } from '../../src/domain/eligibility/rules.js';
import { DELEGATION_CHECKS } from '../../src/domain/payment/delegation.js';

const CODES = Object.keys(BLOCKERS) as BlockerCode[];

/**
 * Every code the domain can hand out, gathered from where it is emitted: the checks (by the
 * codes they are documented to find), the authority table, the state machine and the helpers.
 */
const EMITTED: BlockerCode[] = [
  'PRODUCT_UNKNOWN',
  'PRODUCT_INACTIVE',
  'PRICE_MISSING',
  'PRICE_STALE',
  'INVENTORY_MISSING',
  'INVENTORY_STALE',
  'OUT_OF_STOCK',
  ...Object.values(POLICY_MISSING_CODE),
  'POLICY_CONFLICT',
  'POLICY_NOT_QUOTEABLE',
  'POLICY_PENDING_APPROVAL',
  'REGION_RESTRICTED',
  'GENERATED_CLAIMS_PENDING_REVIEW',
  'GENERATED_CLAIMS_BLOCKED',
  'CHECKOUT_NOT_READY',
  'AUTHORITY_CHECKED_PER_REQUEST',
  'AUTHORITY_MISSING',
  ...AUTHORITY_CHECKS.map((check) => check.code),
  ...DELEGATION_CHECKS.map((check) => check.code),
  'ILLEGAL_TRANSITION',
  'CART_VERSION_CONFLICT',
  ...Object.values(EFFECT_CHAIN).flatMap((row) =>
    EFFECT_OUTCOMES.flatMap((outcome) => {
      const code = (row[outcome] as { blocker?: BlockerCode }).blocker;
      return code === undefined ? [] : [code];
    }),
  ),
];

describe('BLOCKERS', () => {
  describe.each(CODES)('%s', (code) => {
    const entry = BLOCKERS[code];

    it('has a message and a next action', () => {
      expect(entry.message.trim()).not.toBe('');
      expect(entry.nextAction.trim()).not.toBe('');
    });

    it('is not a retired code', () => {
      expect(RETIRED_BLOCKER_CODES).not.toContain(code);
    });

    it('is an upper-case snake-case code', () => {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
    });

    it('builds a blocker that BlockerSchema accepts', () => {
      expect(BlockerSchema.safeParse(blocker(code, { any: 'value' })).success).toBe(true);
    });
  });

  it.each(EMITTED)('knows %s, which the domain can emit', (code) => {
    expect(CODES).toContain(code);
    expect(BlockerSchema.safeParse(blocker(code)).success).toBe(true);
  });

  it('knows every code the rule table grades', () => {
    const graded = [
      ...Object.keys(DEFAULT_SEVERITY),
      ...Object.values(ELIGIBILITY_RULES).flatMap((rows) =>
        rows.flatMap((row) => Object.keys('severity' in row ? row.severity : {})),
      ),
    ];
    expect(graded.length).toBeGreaterThan(0);
    for (const code of graded) expect(CODES).toContain(code);
  });

  it('refuses a code it does not know', () => {
    expect(
      BlockerSchema.safeParse({ code: 'NOT_A_CODE', message: 'm', nextAction: 'n' }).success,
    ).toBe(false);
  });
});

describe('blocker', () => {
  it('fills the placeholders from its params', () => {
    expect(blocker('PRICE_STALE', { expiredAt: '2026-06-28T08:15:00.000Z' })).toEqual({
      code: 'PRICE_STALE',
      message: 'The price fact expired at 2026-06-28T08:15:00.000Z.',
      nextAction: 'Revalidate the price with the pricing source.',
      params: { expiredAt: '2026-06-28T08:15:00.000Z' },
    });
  });

  it('leaves a placeholder it has no param for visible rather than inventing one', () => {
    expect(blocker('PRICE_STALE').message).toBe('The price fact expired at {expiredAt}.');
  });

  it('leaves params out when there are none', () => {
    expect(blocker('OUT_OF_STOCK')).not.toHaveProperty('params');
  });
});
