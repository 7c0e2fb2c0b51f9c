import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/** The checkout JWT the merchant issued last for a checkout, and the nonce bound to it. */
export interface IssuedCheckoutJwtRecord {
  checkoutJwt: string;
  /** base64url sha-256 of `checkoutJwt`: what a closed checkout mandate must name. */
  checkoutHash: string;
  /** What the closed mandate's key-binding JWT must carry as `nonce`. */
  nonce: string;
  /** The checkout version it was signed at. */
  version: number;
  expiresAt: string;
}

/**
 * One record per checkout, replaced on every issue: a mandate binds to the checkout as it was
 * last signed, so a cart changed after the buyer agreed can never be paid with that agreement.
 * It expires with the JWT.
 */
export class CheckoutJwtStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  async save(checkoutId: string, record: IssuedCheckoutJwtRecord, ttlSeconds: number) {
    await this.redis.set(
      this.key('checkout-jwt', checkoutId),
      JSON.stringify(record),
      'EX',
      ttlSeconds,
    );
  }

  async current(checkoutId: string): Promise<IssuedCheckoutJwtRecord | undefined> {
    const stored = await this.redis.get(this.key('checkout-jwt', checkoutId));
    return stored === null ? undefined : (JSON.parse(stored) as IssuedCheckoutJwtRecord);
  }
}
