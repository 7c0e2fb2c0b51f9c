import type { JWK } from 'jose';
import {
  type CheckoutReceiptClaims,
  errorReceipt,
  receiptErrorOf,
  successReceipt,
} from '../../adapters/ap2/receipt-claims.js';
import type { JsonObject } from '../../adapters/ap2/sd-jwt.js';
import { type Ap2Outcome, mandateOfAp2 } from '../../adapters/ap2/to-mandate.js';
import type {
  Ap2Presentation,
  Ap2VerificationContext,
} from '../../adapters/ap2/verify-mandates.js';
import { type CheckoutRecord, type Mandate, payableTotal, wasApplied } from '../../domain/index.js';
import type { TransitionResult } from '../../services/checkout/checkout-record.js';
import type { CheckoutJwtIssuer } from '../../services/signing/checkout-jwt-issuer.js';

/** What verification is checked against; the trust list and skew are bound by the app. */
export type Ap2Expectations = Omit<Ap2VerificationContext, 'trust' | 'skewSeconds'> & {
  /** Root keys trusted for this presentation too (a UCP platform profile's `signing_keys`). */
  platformKeys?: readonly JWK[];
};

/** How the checkout a mandate binds to is found (UCP's AP2 extension: carried, not kept). */
export interface EmbeddedBinding {
  accept(checkoutJwt: string): Promise<JsonObject>;
  platformKeys?: readonly JWK[];
}

export interface Ap2PaymentsDeps {
  issuer: CheckoutJwtIssuer;
  /** adapters/ap2 verifyAp2Mandates with the trust list and skew bound. */
  verify(presentation: Ap2Presentation, expected: Ap2Expectations): Promise<Ap2Outcome>;
  merchantOf(tenant: string): { id: string; name: string };
  sign(claims: CheckoutReceiptClaims): Promise<string>;
  orderIdOf(checkoutId: string): string;
  nowMs(): number;
}

/**
 * AP2 on a checkout, protocol-neutral for every surface that completes one: the checkout JWT a
 * mandate binds to, the presented mandates turned into the domain's authority input (verified
 * against the JWT and nonce issued last), and the signed receipt answering them.
 */
export class Ap2Payments {
  constructor(private readonly deps: Ap2PaymentsDeps) {}

  /** Signs a prepared checkout; undefined when it is not ready for payment. */
  async issue(tenant: string, checkout: CheckoutRecord) {
    if (payableTotal(checkout) === undefined) return undefined;
    const issued = await this.deps.issuer.issue(tenant, checkout);
    return { ...issued, audience: this.deps.merchantOf(tenant).id };
  }

  /** The presented mandates as the domain's mandate, and what verification said. */
  async mandateOf(
    tenant: string,
    checkout: CheckoutRecord,
    presentation: Ap2Presentation,
  ): Promise<{ mandate: Mandate; outcome: Ap2Outcome }> {
    const issued = await this.deps.issuer.current(tenant, checkout.id);
    return this.verified(tenant, checkout, (expect) =>
      issued === undefined || issued.version !== checkout.version
        ? {
            ok: false,
            failure: 'checkout_hash_mismatch',
            detail:
              'no checkout JWT is current for this checkout: sign it again (POST /v1/checkouts/{id}/checkout-jwt) and bind the mandate to that one',
          }
        : this.deps.verify(presentation, {
            ...expect,
            nonce: issued.nonce,
            checkout: { kind: 'issued', checkoutJwt: issued.checkoutJwt },
          }),
    );
  }

  /**
   * The same, for mandates that carry the checkout they were signed over (UCP's AP2 extension):
   * `accept` proves it ours and current; no nonce was issued, so any one is taken, spent once.
   */
  mandateOfEmbedded(
    tenant: string,
    checkout: CheckoutRecord,
    presentation: Ap2Presentation,
    binding: EmbeddedBinding,
  ): Promise<{ mandate: Mandate; outcome: Ap2Outcome }> {
    return this.verified(tenant, checkout, (expect) =>
      this.deps.verify(presentation, {
        ...expect,
        nonce: undefined,
        checkout: { kind: 'embedded', accept: binding.accept },
        ...(binding.platformKeys === undefined ? {} : { platformKeys: binding.platformKeys }),
      }),
    );
  }

  private async verified(
    tenant: string,
    checkout: CheckoutRecord,
    verify: (
      expect: Omit<Ap2Expectations, 'nonce' | 'checkout'>,
    ) => Ap2Outcome | Promise<Ap2Outcome>,
  ): Promise<{ mandate: Mandate; outcome: Ap2Outcome }> {
    const nowMs = this.deps.nowMs();
    const merchant = this.deps.merchantOf(tenant);
    const total = checkout.preparedTotal ?? { amount: 0, currency: 'EUR' };
    const target = { merchantId: merchant.id, checkoutId: checkout.id, total, nowMs };
    const outcome = await verify({ audience: merchant.id, nowMs, merchant, total });
    return { mandate: mandateOfAp2(outcome, target), outcome };
  }

  /** The signed receipt of a payment started (or refused) on presented mandates. */
  receipt(outcome: Ap2Outcome, checkoutId: string, result: TransitionResult): Promise<string> {
    const reference = outcome.ok ? outcome.mandate.reference : (outcome.reference ?? '');
    if (wasApplied(result))
      return this.deps.sign(successReceipt(reference, this.deps.orderIdOf(checkoutId)));
    const [first] = result.decision.blockers;
    return this.deps.sign(
      errorReceipt(
        reference,
        receiptErrorOf(outcome.ok ? undefined : outcome.failure),
        first === undefined ? 'the payment was refused' : `${first.code}: ${first.message}`,
      ),
    );
  }
}
