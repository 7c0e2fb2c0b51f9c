import { checkoutClaimsOf } from '../adapters/ap2/checkout-claims.js';
import { eitherTrust, issuerTrustOf } from '../adapters/ap2/trust.js';
import { verifyAp2Mandates } from '../adapters/ap2/verify-mandates.js';
import type { AppContext } from '../app-context.js';
import { Ap2Payments } from '../http/ap2/ap2-payments.js';
import { CHECKOUT_IDS } from '../services/checkout/checkout-ids.js';
import { CheckoutJwtIssuer } from '../services/signing/checkout-jwt-issuer.js';
import type { MerchantSigner } from '../services/signing/merchant-signer.js';
import { CheckoutJwtStore } from '../store/checkout-jwt-store.js';
import { merchantSignerOf } from './merchant-signer.js';

/**
 * AP2 on the checkout service, one per AppContext (the checkout API, A2A's intent worker and
 * MCP share it, and so the trust list's fetched JWKS): checkout JWTs signed with the merchant's
 * keys, mandates verified against the configured trust list, receipts signed. The merchant is
 * the tenant's merchant id (MERCHANT_ID, else the tenant) and its name FEED_SELLER_NAME, else
 * that id.
 */
export function ap2PaymentsOf(ctx: AppContext): Ap2Payments {
  let payments = created.get(ctx);
  if (payments === undefined) {
    payments = createAp2Payments(ctx);
    created.set(ctx, payments);
  }
  return payments;
}

const created = new WeakMap<AppContext, Ap2Payments>();

function createAp2Payments(ctx: AppContext): Ap2Payments {
  const { config } = ctx;
  const sign: MerchantSigner['sign'] = async (claims, typ) =>
    (await merchantSignerOf(ctx)).sign(claims, typ);
  const merchantOf = (tenant: string) => {
    const id = config.MERCHANT_ID ?? tenant;
    return { id, name: config.FEED_SELLER_NAME ?? id };
  };
  const trust = issuerTrustOf({
    ...(config.AP2_TRUSTED_ISSUERS_JWKS === undefined
      ? {}
      : { keys: config.AP2_TRUSTED_ISSUERS_JWKS.keys }),
    ...(config.AP2_TRUSTED_ISSUERS_JWKS_URL === undefined
      ? {}
      : { url: config.AP2_TRUSTED_ISSUERS_JWKS_URL }),
  });
  return new Ap2Payments({
    issuer: new CheckoutJwtIssuer({
      sign,
      storeOf: (tenant) => new CheckoutJwtStore(ctx.producer, config.KEY_PREFIX, tenant),
      claimsOf: (tenant, checkout, expiresAt) =>
        checkoutClaimsOf(checkout, merchantOf(tenant), expiresAt),
      ttlSeconds: config.AP2_CHECKOUT_JWT_TTL_SECONDS,
      nowMs: () => ctx.clock.nowMs(),
    }),
    verify: (presentation, { platformKeys, ...expected }) =>
      verifyAp2Mandates(presentation, {
        ...expected,
        trust: platformKeys === undefined ? trust : eitherTrust(trust, platformKeys),
        skewSeconds: config.AP2_CLOCK_SKEW_SECONDS,
      }),
    merchantOf,
    sign: (claims) => sign({ ...claims }, 'JWT'),
    orderIdOf: (checkoutId) => CHECKOUT_IDS.orderId(checkoutId),
    nowMs: () => ctx.clock.nowMs(),
  });
}
