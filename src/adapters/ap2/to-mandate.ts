import {
  type CurrencyCode,
  MANDATE_PROOF_FAILURES,
  type Mandate,
  type MandateProofFailure,
  type MandateReuse,
  toInstant,
} from '../../domain/index.js';

/**
 * What a verification of AP2 mandates came to, as this mapping reads it (verify-mandates.ts's
 * result satisfies it): the verified payment authority, or the failure and its detail.
 */
export type Ap2Outcome =
  | {
      ok: true;
      mandate: {
        reference: string;
        /** The closing bindings' nonces and jtis. */
        replayKeys: readonly string[];
        /** What the open payment mandate allows across payments, if it limits reuse. */
        reuse?: MandateReuse;
        payee: { id: string };
        amount: { amount: number; currency: string };
        expiresAtMs: number;
        humanPresent: boolean;
      };
    }
  | { ok: false; failure: string; detail: string; reference?: string };

/** The checkout the mandates were presented for, for a mandate that could not be read. */
export interface Ap2Target {
  merchantId: string;
  checkoutId: string;
  total: { amount: number; currency: string };
  nowMs: number;
}

function proofFailureOf(failure: string): MandateProofFailure {
  return (MANDATE_PROOF_FAILURES as readonly string[]).includes(failure)
    ? (failure as MandateProofFailure)
    : 'malformed';
}

/**
 * The ONE mapping from AP2 mandates to the domain's authority input, as mandateOfAllowance is
 * for ACP: the verified payment mandate with its constraints kept (payee, amount, expiry), bound
 * to the checkout it was presented for. The products need no list here: the checkout mandate's
 * line-item constraint was evaluated against the very checkout we signed. A failed
 * verification is not an error here: it becomes the mandate's `proof` failure, and the domain's
 * authority checks refuse it with the blocker of that failure — nothing is charged.
 */
export function mandateOfAp2(outcome: Ap2Outcome, target: Ap2Target): Mandate {
  if (!outcome.ok) {
    const failure = proofFailureOf(outcome.failure);
    return {
      ref: outcome.reference ?? `ap2_unverified:${target.checkoutId}`,
      kind: 'ap2_payment_mandate',
      merchantId: target.merchantId,
      checkoutSessionId: target.checkoutId,
      maxAmount: { ...target.total, currency: target.total.currency as CurrencyCode },
      // An expired mandate is refused by the expiry check, which names the instant.
      expiresAt: toInstant(failure === 'expired' ? target.nowMs : target.nowMs + 60_000),
      proof: { scheme: 'ap2_sd_jwt', failure, detail: outcome.detail.slice(0, 1000) },
    };
  }
  const verified = outcome.mandate;
  return {
    ref: verified.reference,
    kind: 'ap2_payment_mandate',
    merchantId: verified.payee.id,
    checkoutSessionId: target.checkoutId,
    maxAmount: {
      amount: verified.amount.amount,
      currency: verified.amount.currency.toUpperCase() as CurrencyCode,
    },
    expiresAt: toInstant(verified.expiresAtMs),
    proof: {
      scheme: 'ap2_sd_jwt',
      oneTime: oneTimeValuesOf(verified),
      ...(verified.reuse === undefined ? {} : { reuse: verified.reuse }),
    },
  };
}

/**
 * What a verified mandate spends when it pays: the closing token itself (its hash, the receipt's
 * reference) and each nonce and jti its closing bindings carry, named apart so that no value of
 * one kind can collide with another.
 */
function oneTimeValuesOf(verified: { reference: string; replayKeys: readonly string[] }) {
  return [
    `ap2:token:${verified.reference}`,
    ...verified.replayKeys.map((value) => `ap2:binding:${value}`),
  ].slice(0, 16);
}
