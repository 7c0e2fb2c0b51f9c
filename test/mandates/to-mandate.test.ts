import { describe, expect, it } from 'vitest';
import { RECEIPT_ERROR_OF_FAILURE, receiptErrorOf } from '../../src/adapters/ap2/receipt-claims.js';
import { type Ap2Outcome, mandateOfAp2 } from '../../src/adapters/ap2/to-mandate.js';
import { evaluateAuthority } from '../../src/domain/authority.js';
import {
  MANDATE_PROOF_FAILURES,
  type Mandate,
  MandateSchema,
  refusedUse,
  toInstant,
} from '../../src/domain/index.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const target = {
  merchantId: 'acme',
  checkoutId: 'co_1',
  total: { amount: 25800, currency: 'EUR' },
  nowMs: NOW,
};
const verified = {
  ok: true as const,
  mandate: {
    reference: 'ref-closed-mandate',
    replayKeys: ['nonce-1', 'jti-1'],
    payee: { id: 'acme' },
    amount: { amount: 25800, currency: 'EUR' },
    expiresAtMs: NOW + 3_600_000,
    humanPresent: false,
  },
} satisfies Ap2Outcome;

/** The authority decision on a mandate for the target checkout, otherwise ready to pay. */
function decide(outcome: Ap2Outcome) {
  return decideOn(mandateOfAp2(outcome, target));
}

function decideOn(mandate: Mandate) {
  return evaluateAuthority({
    mandate,
    merchantId: 'acme',
    checkout: {
      id: 'co_1',
      version: 2,
      state: 'ready_for_payment',
      total: { amount: 25800, currency: 'EUR' },
      cartSnapshotHash: 'snap',
      skus: ['BAG-TRAVEL-42'],
    },
    actor: { actorId: 'agent-1', actorType: 'agent' },
    nowMs: NOW,
  });
}

describe('mandateOfAp2', () => {
  it('maps a verified payment mandate with its payee, amount, expiry and checkout kept', () => {
    const mandate = mandateOfAp2(verified, target);
    expect(MandateSchema.parse(mandate)).toEqual({
      ref: 'ref-closed-mandate',
      kind: 'ap2_payment_mandate',
      merchantId: 'acme',
      checkoutSessionId: 'co_1',
      maxAmount: { amount: 25800, currency: 'EUR' },
      expiresAt: toInstant(NOW + 3_600_000),
      proof: {
        scheme: 'ap2_sd_jwt',
        // Named apart by kind, so a nonce can never collide with a token hash.
        oneTime: ['ap2:token:ref-closed-mandate', 'ap2:binding:nonce-1', 'ap2:binding:jti-1'],
      },
    });
    expect(decide(verified).result).toBe('allowed');
  });

  it('lets the domain refuse a verified mandate for another payee or a smaller amount', () => {
    const other: Ap2Outcome = {
      ok: true,
      mandate: {
        ...verified.mandate,
        payee: { id: 'globex' },
        amount: { amount: 100, currency: 'EUR' },
      },
    } as Ap2Outcome;
    expect(
      decide(other)
        .blockers.map((b) => b.code)
        .sort(),
    ).toEqual(['AMOUNT_EXCEEDS_LIMIT', 'MERCHANT_MISMATCH']);
  });

  it.each(MANDATE_PROOF_FAILURES.filter((f) => f !== 'expired'))(
    'turns a %s failure into a blocked decision naming it, never an allowed one',
    (failure) => {
      const decision = decide({ ok: false, failure, detail: `broken: ${failure}` });
      expect(decision.result).toBe('blocked');
      expect(decision.blockers).toHaveLength(1);
      expect(decision.blockers[0]?.message).toContain(`broken: ${failure}`);
    },
  );

  it('refuses the same mandate spent again (refusedUse) with MANDATE_REPLAYED', () => {
    const again = decideOn(refusedUse(mandateOfAp2(verified, target), 'spent'));
    expect(again.blockers.map((b) => b.code)).toEqual(['MANDATE_REPLAYED']);
  });

  it('refuses an expired mandate through the expiry check', () => {
    const decision = decide({ ok: false, failure: 'expired', detail: 'exp passed' });
    expect(decision.blockers.map((b) => b.code)).toEqual(['MANDATE_EXPIRED']);
  });

  it('treats a failure code it does not know as a malformed mandate', () => {
    const decision = decide({ ok: false, failure: 'something_new', detail: 'what' });
    expect(decision.blockers.map((b) => b.code)).toEqual(['MANDATE_MALFORMED']);
  });
});

describe('the receipt error of a refusal', () => {
  it('says invalid_credential for a mandate that did not verify', () => {
    expect(receiptErrorOf('invalid_signature')).toBe('invalid_credential');
    expect(receiptErrorOf('untrusted_issuer')).toBe('invalid_credential');
  });

  it('says unresolved_constraint for a constraint it cannot evaluate', () => {
    expect(receiptErrorOf('unknown_constraint')).toBe('unresolved_constraint');
  });

  it('says invalid_mandate for a mandate that verified but does not approve this payment', () => {
    expect(receiptErrorOf(undefined)).toBe('invalid_mandate');
    expect(RECEIPT_ERROR_OF_FAILURE.amount_mismatch).toBe('invalid_mandate');
  });
});
