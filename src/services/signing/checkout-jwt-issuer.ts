import { createHash, randomBytes } from 'node:crypto';
import type { CheckoutRecord } from '../../domain/index.js';
import { toInstant } from '../../domain/index.js';
import type { CheckoutJwtStore, IssuedCheckoutJwtRecord } from '../../store/checkout-jwt-store.js';
import type { MerchantSigner } from './merchant-signer.js';

export const CHECKOUT_JWT_TYP = 'JWT';

export interface CheckoutJwtIssuerDeps {
  /** MerchantSigner.sign (loaded on first use by the app). */
  sign: MerchantSigner['sign'];
  storeOf(tenant: string): CheckoutJwtStore;
  /** The signed payload of a prepared checkout (adapters/ap2/checkout-claims.ts). */
  claimsOf(tenant: string, checkout: CheckoutRecord, expiresAt: string): Record<string, unknown>;
  /** How long a mandate can be signed over one issue. */
  ttlSeconds: number;
  nowMs(): number;
}

/** base64url sha-256 of a compact JWS, as AP2 hashes `checkout_jwt`. */
export function checkoutHashOf(checkoutJwt: string): string {
  return createHash('sha256').update(checkoutJwt, 'ascii').digest('base64url');
}

/**
 * Signs a prepared checkout for an AP2 mandate to bind to: the merchant-signed checkout JWT, its
 * hash, and a fresh nonce the closed mandate's key binding must carry. Each issue replaces the
 * previous one, so only the checkout as last signed (at its current version) can be paid.
 */
export class CheckoutJwtIssuer {
  constructor(private readonly deps: CheckoutJwtIssuerDeps) {}

  async issue(tenant: string, checkout: CheckoutRecord): Promise<IssuedCheckoutJwtRecord> {
    const nowMs = this.deps.nowMs();
    const expiresAt = toInstant(nowMs + this.deps.ttlSeconds * 1000);
    const checkoutJwt = await this.deps.sign(
      {
        ...this.deps.claimsOf(tenant, checkout, expiresAt),
        exp: Math.floor(nowMs / 1000) + this.deps.ttlSeconds,
      },
      CHECKOUT_JWT_TYP,
    );
    const record: IssuedCheckoutJwtRecord = {
      checkoutJwt,
      checkoutHash: checkoutHashOf(checkoutJwt),
      nonce: randomBytes(16).toString('base64url'),
      version: checkout.version,
      expiresAt,
    };
    await this.deps.storeOf(tenant).save(checkout.id, record, this.deps.ttlSeconds);
    return record;
  }

  /** The checkout JWT issued last for a checkout, while it has not expired. */
  current(tenant: string, checkoutId: string): Promise<IssuedCheckoutJwtRecord | undefined> {
    return this.deps.storeOf(tenant).current(checkoutId);
  }
}
