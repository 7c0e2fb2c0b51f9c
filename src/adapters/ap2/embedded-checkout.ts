import { refuse } from './failures.js';
import { isObject, type JsonObject } from './sd-jwt.js';

/**
 * The `accept` of an embedded checkout binding (verify-mandates.ts): the checkout a mandate
 * carries as `checkout_jwt` is taken when our own keys verify it (else
 * `merchant_authorization_invalid`) and `changedTermOf` finds none of its agreed terms changed
 * since (else a checkout mismatch naming the term).
 */
export function acceptEmbeddedCheckout(
  verifyOwn: (jws: string) => Promise<Uint8Array | undefined>,
  changedTermOf: (embedded: JsonObject) => string | undefined,
): (checkoutJwt: string) => Promise<JsonObject> {
  return async (checkoutJwt) => {
    const payload = await verifyOwn(checkoutJwt);
    if (payload === undefined)
      refuse(
        'merchant_authorization_invalid',
        'the merchant_authorization of the checkout it carries does not verify with our signing keys',
      );
    let embedded: unknown;
    try {
      embedded = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      refuse('malformed', 'the checkout it carries is not JSON');
    }
    if (!isObject(embedded)) refuse('malformed', 'the checkout it carries is not a JSON object');
    const changed = changedTermOf(embedded);
    if (changed !== undefined)
      refuse(
        'checkout_hash_mismatch',
        `the checkout it carries differs in ${changed} from this checkout as it stands`,
      );
    return embedded;
  };
}
