import type { JWK } from 'jose';
import { acceptEmbeddedCheckout } from '../../adapters/ap2/embedded-checkout.js';
import type { Ap2Outcome } from '../../adapters/ap2/to-mandate.js';
import type { Ap2Presentation } from '../../adapters/ap2/verify-mandates.js';
import { changedTerm, signedBytesOf } from '../../adapters/ucp/ap2-mandate.js';
import type { ucpCheckoutTerms } from '../../adapters/ucp/checkout-projection.js';
import type { CheckoutRecord, Mandate } from '../../domain/index.js';
import type { MerchantSigner } from '../../services/signing/merchant-signer.js';
import type { Ap2Payments } from '../ap2/ap2-payments.js';

export interface UcpAp2Deps {
  /** The merchant's signer (loaded on first use by the app). */
  signer(): Promise<Pick<MerchantSigner, 'signDetached' | 'verifyOwn'>>;
  payments: Pick<Ap2Payments, 'mandateOfEmbedded'>;
  /** Which checkouts are locked into mandates (store/mandate-lock-store.ts, wired by the app). */
  locks: {
    lock(tenant: string, checkoutId: string): Promise<void>;
    isLocked(tenant: string, checkoutId: string): Promise<boolean>;
  };
}

/**
 * UCP's AP2 mandates extension over the service's AP2 payments (the same verifier and mapping
 * the checkout API, A2A and MCP use): each checkout answer signed as `ap2.merchant_authorization`,
 * and a complete's mandates verified against the checkout the checkout mandate carries — ours by
 * signature, still this checkout by its terms. Nothing is kept per answer: the mandate brings
 * back what we signed.
 */
export class UcpAp2 {
  constructor(private readonly deps: UcpAp2Deps) {}

  /** The answer with its `ap2.merchant_authorization` (over the answer without `ap2`). */
  async authorized<T extends Record<string, unknown>>(answer: T) {
    const signer = await this.deps.signer();
    const merchantAuthorization = await signer.signDetached(signedBytesOf(answer));
    return { ...answer, ap2: { merchant_authorization: merchantAuthorization } };
  }

  /** Locks a checkout answered under the extension into mandates ("Session Locking"). */
  lock(tenant: string, checkoutId: string): Promise<void> {
    return this.deps.locks.lock(tenant, checkoutId);
  }

  /** Whether a checkout was answered under the extension, so only mandates can complete it. */
  isLocked(tenant: string, checkoutId: string): Promise<boolean> {
    return this.deps.locks.isLocked(tenant, checkoutId);
  }

  /** The presented mandates as the domain's mandate, verified against the checkout they carry. */
  mandateOf(
    tenant: string,
    checkout: CheckoutRecord,
    presentation: Ap2Presentation,
    terms: ReturnType<typeof ucpCheckoutTerms>,
    platformKeys: readonly JWK[] | undefined,
  ): Promise<{ mandate: Mandate; outcome: Ap2Outcome }> {
    return this.deps.payments.mandateOfEmbedded(tenant, checkout, presentation, {
      ...(platformKeys === undefined ? {} : { platformKeys }),
      accept: acceptEmbeddedCheckout(
        async (jws) => (await this.deps.signer()).verifyOwn(jws),
        (embedded) => changedTerm(embedded, terms),
      ),
    });
  }
}
