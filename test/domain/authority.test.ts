import { describe, expect, it } from 'vitest';
import type { DecisionResult } from '../../src/domain/actions.js';
import { type AuthorityRequest, evaluateAuthority } from '../../src/domain/authority.js';
import type { BlockerCode } from '../../src/domain/blockers.js';
import { CommerceDecisionSchema } from '../../src/domain/decision.js';
import {
  MANDATE_PROOF_BLOCKERS,
  MANDATE_PROOF_FAILURES,
  type MandateProofFailure,
} from '../../src/domain/payment/mandate-proof.js';
import { toMs } from '../../src/domain/time.js';
import {
  at,
  authorityRequest,
  codesOf,
  decisionOf,
  fullCoverage,
  mandate,
  product,
  profileOf,
  stalePrice,
  verbFor,
} from '../support/facts.js';

interface Case {
  when: string;
  request: AuthorityRequest;
  result: DecisionResult;
  codes: BlockerCode[];
  params?: Record<string, string | number>;
}

/** One broken condition per row, against a request that otherwise passes every check. */
const CASES: Case[] = [
  {
    when: 'no mandate accompanies the request',
    request: authorityRequest({ mandate: undefined }),
    result: 'blocked',
    codes: ['AUTHORITY_MISSING'],
  },
  {
    when: 'the mandate has expired',
    request: authorityRequest({ mandate: mandate({ expiresAt: at(-60) }) }),
    result: 'blocked',
    codes: ['MANDATE_EXPIRED'],
    params: { expiresAt: at(-60) },
  },
  {
    when: 'the mandate expires exactly now',
    request: authorityRequest({ mandate: mandate({ expiresAt: at(0) }) }),
    result: 'blocked',
    codes: ['MANDATE_EXPIRED'],
  },
  {
    when: 'the mandate was revoked',
    request: authorityRequest({ mandate: mandate({ revokedAt: at(-60) }) }),
    result: 'blocked',
    codes: ['MANDATE_REVOKED'],
  },
  {
    when: 'the cart holds a SKU the mandate does not cover',
    request: authorityRequest({
      checkout: { skus: ['BAG-TRAVEL-42', 'TAG-LUGGAGE-1'] },
    }),
    result: 'blocked',
    codes: ['MANDATE_SCOPE_MISMATCH'],
    params: { outOfScope: 'TAG-LUGGAGE-1' },
  },
  {
    when: 'the mandate was issued for another cart snapshot',
    request: authorityRequest({ checkout: { cartSnapshotHash: 'sha256:cart-2' } }),
    result: 'blocked',
    codes: ['CART_SNAPSHOT_MISMATCH'],
  },
  {
    when: 'the total exceeds the mandate limit',
    request: authorityRequest({
      mandate: mandate({ maxAmount: { amount: 10000, currency: 'EUR' } }),
    }),
    result: 'blocked',
    codes: ['AMOUNT_EXCEEDS_LIMIT'],
    params: { total: '129.00 EUR', limit: '100.00 EUR' },
  },
  {
    // Amounts in two currencies do not compare: only the currency is reported.
    when: 'the mandate is in another currency',
    request: authorityRequest({
      mandate: mandate({ maxAmount: { amount: 100, currency: 'USD' } }),
    }),
    result: 'blocked',
    codes: ['CURRENCY_MISMATCH'],
    params: { mandateCurrency: 'USD', checkoutCurrency: 'EUR' },
  },
  {
    when: 'the mandate names another merchant',
    request: authorityRequest({ merchantId: 'merchant-2' }),
    result: 'blocked',
    codes: ['MERCHANT_MISMATCH'],
    params: { mandateMerchant: 'merchant-1' },
  },
  {
    when: 'the mandate is bound to another checkout session',
    request: authorityRequest({ checkout: { id: 'checkout-2' } }),
    result: 'blocked',
    codes: ['CHECKOUT_SESSION_MISMATCH'],
    params: { mandateCheckout: 'checkout-1', checkoutId: 'checkout-2' },
  },
  ...(['cart_open', 'completing', 'completed', 'canceled', 'expired'] as const).map(
    (state): Case => ({
      when: `the checkout session is ${state}`,
      request: authorityRequest({ checkout: { state } }),
      result: 'blocked',
      codes: ['CHECKOUT_SESSION_INVALID'],
      params: { state },
    }),
  ),
  {
    when: 'the mandate requires a human confirmation that was not given',
    request: authorityRequest({ mandate: mandate({ humanConfirmation: { required: true } }) }),
    result: 'requires_review',
    codes: ['HUMAN_CONFIRMATION_REQUIRED'],
  },
  {
    when: 'the human confirmation is dated after now',
    request: authorityRequest({
      mandate: mandate({ humanConfirmation: { required: true, confirmedAt: at(60) } }),
    }),
    result: 'requires_review',
    codes: ['HUMAN_CONFIRMATION_REQUIRED'],
  },
  {
    when: 'the actor is not one the mandate names',
    request: authorityRequest({ actor: { actorId: 'agent-9', actorType: 'agent' } }),
    result: 'blocked',
    codes: ['ACTOR_NOT_ALLOWED'],
    params: { actorId: 'agent-9' },
  },
  {
    when: 'the actor is of a type the mandate does not allow',
    request: authorityRequest({ actor: { actorId: 'agent-7', actorType: 'system' } }),
    result: 'blocked',
    codes: ['ACTOR_NOT_ALLOWED'],
  },
  {
    when: 'the mandate is valid in every respect',
    request: authorityRequest(),
    result: 'allowed',
    codes: [],
  },
  {
    when: 'the mandate leaves every optional constraint out',
    request: authorityRequest({
      mandate: mandate({
        checkoutSessionId: undefined,
        cartSnapshotHash: undefined,
        skus: undefined,
        revokedAt: undefined,
        humanConfirmation: undefined,
        allowedActors: undefined,
      }),
    }),
    result: 'allowed',
    codes: [],
  },
  {
    when: 'a human confirmation is not required',
    request: authorityRequest({ mandate: mandate({ humanConfirmation: { required: false } }) }),
    result: 'allowed',
    codes: [],
  },
  {
    when: 'the mandate is expired, revoked and for another merchant',
    request: authorityRequest({
      merchantId: 'merchant-2',
      mandate: mandate({ expiresAt: at(-60), revokedAt: at(-120) }),
    }),
    result: 'blocked',
    codes: ['MANDATE_REVOKED', 'MANDATE_EXPIRED', 'MERCHANT_MISMATCH'],
  },
  {
    // Blocked outweighs review.
    when: 'the cart changed and no human confirmed',
    request: authorityRequest({
      mandate: mandate({ humanConfirmation: { required: true } }),
      checkout: { cartSnapshotHash: 'sha256:cart-2' },
    }),
    result: 'blocked',
    codes: ['CART_SNAPSHOT_MISMATCH', 'HUMAN_CONFIRMATION_REQUIRED'],
  },
];

describe('evaluateAuthority', () => {
  describe.each(CASES)('when $when', (row) => {
    const outcome = evaluateAuthority(row.request);
    const suffix = row.codes.length > 0 ? ` with ${row.codes.join(', ')}` : '';

    it(`${verbFor(row.result)} the payment${suffix}`, () => {
      expect(outcome.result).toBe(row.result);
      expect(codesOf(outcome.blockers)).toEqual(row.codes);
    });

    if (row.params !== undefined) {
      it('says what did not match', () => {
        expect(outcome.blockers[0]?.params).toMatchObject(row.params as object);
      });
    }
  });

  describe('when the mandate is valid', () => {
    const outcome = evaluateAuthority(authorityRequest());

    it('cites the mandate and the checkout version as evidence', () => {
      expect(outcome.evidenceRefs).toEqual([
        { type: 'authority_record', id: 'mandate-1' },
        { type: 'checkout_state', id: 'checkout-1@v3' },
      ]);
    });

    it('holds until the mandate expires', () => {
      expect(outcome.validUntilMs).toBe(toMs(at(3600)));
    });
  });

  describe('when the mandate is revoked from a later instant', () => {
    const outcome = evaluateAuthority(
      authorityRequest({ mandate: mandate({ revokedAt: at(600), expiresAt: at(3600) }) }),
    );

    it('allows the payment for now', () => {
      expect(outcome.result).toBe('allowed');
    });

    it('holds only until the revocation takes effect', () => {
      expect(outcome.validUntilMs).toBe(toMs(at(600)));
    });
  });

  describe('when the mandate has expired', () => {
    it('promises no validity at all', () => {
      expect(
        evaluateAuthority(authorityRequest({ mandate: mandate({ expiresAt: at(-1) }) }))
          .validUntilMs,
      ).toBeNull();
    });
  });

  describe('when no mandate accompanies the request', () => {
    it('still cites the checkout it looked at', () => {
      expect(evaluateAuthority(authorityRequest({ mandate: undefined })).evidenceRefs).toEqual([
        { type: 'checkout_state', id: 'checkout-1@v3' },
      ]);
    });
  });
});

describe('evaluateProduct with an authority request', () => {
  describe.each(CASES)('when $when', (row) => {
    const profile = profileOf(product(), fullCoverage(), undefined, undefined, row.request);
    const decision = decisionOf(profile, 'delegate_payment');
    const suffix = row.codes.length > 0 ? ` with ${row.codes.join(', ')}` : '';

    it(`${verbFor(row.result)} delegate_payment${suffix}`, () => {
      expect(decision.result).toBe(row.result);
      expect(codesOf(decision.blockers)).toEqual(row.codes);
    });

    it('leaves every other action as the facts alone decide', () => {
      for (const other of profile.decisions) {
        if (other.action !== 'delegate_payment') expect(other.result).toBe('allowed');
      }
    });

    it('emits a valid CommerceDecision', () => {
      expect(CommerceDecisionSchema.safeParse(decision).success).toBe(true);
    });
  });

  describe('when a fully valid mandate meets an all-allowed product', () => {
    const profile = profileOf(product(), fullCoverage(), undefined, undefined, authorityRequest());
    const decision = decisionOf(profile, 'delegate_payment');

    it('allows delegate_payment', () => {
      expect(decision.result).toBe('allowed');
      expect(decision.allowed).toBe(true);
      expect(decision.blockers).toEqual([]);
    });

    it('no longer warns that authority is checked per request: it was checked', () => {
      expect(decision.warnings).toEqual([]);
    });

    it('cites the mandate, the checkout and the checkout decision it relied on', () => {
      expect(decision.evidenceRefs).toEqual(
        expect.arrayContaining([
          { type: 'authority_record', id: 'mandate-1' },
          { type: 'checkout_state', id: 'checkout-1@v3' },
          { type: 'eligibility_rule', id: `${decision.rulesetVersion}/prepare_checkout` },
        ]),
      );
    });

    it('is valid no longer than the inventory fact (10 minutes), well before the mandate', () => {
      expect(decision.validUntil).toBe(at(600));
    });
  });

  describe('when the mandate expires before the facts do', () => {
    it('is valid only until the mandate expires', () => {
      const request = authorityRequest({ mandate: mandate({ expiresAt: at(120) }) });
      const profile = profileOf(product(), fullCoverage(), undefined, undefined, request);
      expect(decisionOf(profile, 'delegate_payment').validUntil).toBe(at(120));
    });
  });

  describe('when the checkout cannot be prepared', () => {
    it('blocks delegate_payment even with a valid mandate', () => {
      const profile = profileOf(
        product({ price: stalePrice() }),
        fullCoverage(),
        undefined,
        undefined,
        authorityRequest(),
      );
      const decision = decisionOf(profile, 'delegate_payment');
      expect(decision.result).toBe('blocked');
      expect(codesOf(decision.blockers)).toEqual(['CHECKOUT_NOT_READY', 'PRICE_STALE']);
    });

    it('reports the authority failures too, not just the first reason', () => {
      const profile = profileOf(
        product({ price: stalePrice() }),
        fullCoverage(),
        undefined,
        undefined,
        authorityRequest({ mandate: undefined }),
      );
      expect(codesOf(decisionOf(profile, 'delegate_payment').blockers)).toEqual([
        'CHECKOUT_NOT_READY',
        'PRICE_STALE',
        'AUTHORITY_MISSING',
      ]);
    });
  });
});

describe('evaluateAuthority with a signed mandate whose proof failed', () => {
  const failures = Object.entries(MANDATE_PROOF_BLOCKERS) as [
    MandateProofFailure,
    BlockerCode | undefined,
  ][];

  it.each(failures.filter(([, code]) => code !== undefined))(
    'refuses a proof that failed with %s as %s, naming what failed',
    (failure, code) => {
      const detail = `the ${failure} detail`;
      const outcome = evaluateAuthority(
        authorityRequest({
          mandate: mandate({
            kind: 'ap2_payment_mandate',
            proof: { scheme: 'ap2_sd_jwt', failure, detail },
          }),
        }),
      );
      expect(outcome.result).toBe('blocked');
      expect(outcome.blockers.map((b) => b.code)).toEqual([code]);
      expect(outcome.blockers[0]?.message).toContain(detail);
    },
  );

  it('leaves an expired proof to the expiry check, which names the instant', () => {
    const outcome = evaluateAuthority(
      authorityRequest({
        mandate: mandate({
          kind: 'ap2_payment_mandate',
          expiresAt: at(-60),
          proof: { scheme: 'ap2_sd_jwt', failure: 'expired', detail: 'exp passed' },
        }),
      }),
    );
    expect(codesOf(outcome.blockers)).toEqual(['MANDATE_EXPIRED']);
  });

  it('allows a signed mandate whose proof verified, on its constraints alone', () => {
    const outcome = evaluateAuthority(
      authorityRequest({
        mandate: mandate({ kind: 'ap2_payment_mandate', proof: { scheme: 'ap2_sd_jwt' } }),
      }),
    );
    expect(outcome.result).toBe('allowed');
    expect(outcome.blockers).toEqual([]);
  });

  it('gives every failure but expiry a blocker of its own', () => {
    expect(MANDATE_PROOF_FAILURES.filter((f) => MANDATE_PROOF_BLOCKERS[f] === undefined)).toEqual([
      'expired',
    ]);
  });
});
