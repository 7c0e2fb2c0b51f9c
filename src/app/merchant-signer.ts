import type { AppContext } from '../app-context.js';
import { loadSigningKeys, MerchantSigner } from '../services/signing/merchant-signer.js';
import { SigningKeyStore } from '../store/signing-key-store.js';

const signers = new WeakMap<AppContext, Promise<MerchantSigner>>();

/**
 * The process's merchant signer, loaded once per AppContext on first use: the configured keys,
 * else the deployment's development key (with a warning in production, where a key kept in
 * Redis is not the merchant's to lose). Its issuer is PUBLIC_BASE_URL, else the listen address.
 */
export function merchantSignerOf(ctx: AppContext): Promise<MerchantSigner> {
  let signer = signers.get(ctx);
  if (signer === undefined) {
    signer = (async () => {
      const { config } = ctx;
      const { keys, source } = await loadSigningKeys(
        config.MERCHANT_SIGNING_JWKS,
        new SigningKeyStore(ctx.producer, config.KEY_PREFIX),
      );
      if (source === 'development' && config.NODE_ENV === 'production')
        ctx.logger.warn(
          { kid: keys.active.kid },
          'signing with a generated development key: set MERCHANT_SIGNING_JWKS',
        );
      const issuer = (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`).replace(
        /\/+$/,
        '',
      );
      return new MerchantSigner(keys, issuer, () => ctx.clock.nowMs());
    })();
    // A failed load (Redis away) is retried by the next caller rather than remembered.
    signer.catch(() => signers.delete(ctx));
    signers.set(ctx, signer);
  }
  return signer;
}
