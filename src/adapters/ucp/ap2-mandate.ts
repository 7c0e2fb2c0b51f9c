import { isDeepStrictEqual } from 'node:util';
import jcs from 'canonicalize';
import type { BlockerCode } from '../../domain/index.js';
import { type Negotiated, UCP_CAPABILITY } from './negotiated.js';

// RFC 8785 by its author's package: CommonJS (`module.exports = serialize`) typed as an ES
// default export, so under Node's ESM the default import is the function itself.
const canonicalize = jcs as unknown as (input: unknown) => string | undefined;

/**
 * UCP's AP2 Mandates extension (`dev.ucp.shopping.ap2_mandate`, ap2-mandates.md 2026-04-08) as
 * data and pure functions: what the business signs, how the checkout a mandate carries is read
 * back, which of its terms must still hold, and which AP2 error code each mandate blocker is.
 *
 * Binding, as we read the extension with AP2 v0.2: every checkout answer carries
 * `ap2.merchant_authorization`, a detached ES256 JWS (RFC 7515 Appendix F) over the JCS
 * (RFC 8785) bytes of the answer without `ap2`. Put back together — `header.` + base64url of
 * those bytes + `.signature` — it is a compact JWS whose payload is the UCP checkout, which is
 * what AP2's checkout_mandate.md asks `checkout_jwt` to be under UCP. So the closed checkout
 * mandate discloses that JWS as `checkout_jwt` (and its hash as `checkout_hash`), "containing
 * the full checkout including ap2.merchant_authorization"; the payment mandate travels as the
 * selected instrument's `credential.token`.
 */

export const AP2_MANDATE_CAPABILITY = UCP_CAPABILITY.ap2Mandate;

/** Whether the request negotiated the extension: then the session is "security locked". */
export function ap2Negotiated(negotiated: Pick<Negotiated, 'capabilities'>): boolean {
  return AP2_MANDATE_CAPABILITY in negotiated.capabilities;
}

/** The bytes `merchant_authorization` signs: the answer without `ap2`, JCS-canonicalized. */
export function signedBytesOf(answer: Readonly<Record<string, unknown>>): Uint8Array {
  const { ap2: _excluded, ...payload } = answer;
  return new TextEncoder().encode(canonicalize(payload) ?? '{}');
}

/** A detached JWS with its payload put back: the compact JWS a mandate's checkout_jwt is. */
export function attachedJws(detached: string, payload: Uint8Array): string {
  const [header = '', , signature = ''] = detached.split('.');
  return `${header}.${Buffer.from(payload).toString('base64url')}.${signature}`;
}

/**
 * The terms a mandate must have been signed over as the checkout stands now ("Verify Terms
 * Match": id, totals, line items; the currency they are in goes with them). Status, messages
 * and links may change without the buyer's agreement changing.
 */
export const AGREED_TERMS = ['id', 'currency', 'line_items', 'totals'] as const;

/** The first agreed term that differs, or undefined when all hold. */
export function changedTerm(
  embedded: Readonly<Record<string, unknown>>,
  current: Readonly<Record<(typeof AGREED_TERMS)[number], unknown>>,
): (typeof AGREED_TERMS)[number] | undefined {
  return AGREED_TERMS.find((term) => !isDeepStrictEqual(embedded[term], current[term]));
}

/** The extension's error codes (ap2_mandate.json `$defs/error_code`). */
export type Ap2ErrorCode =
  | 'mandate_required'
  | 'agent_missing_key'
  | 'mandate_invalid_signature'
  | 'mandate_expired'
  | 'mandate_scope_mismatch'
  | 'merchant_authorization_invalid'
  | 'merchant_authorization_missing';

/**
 * Each blocker a presented mandate can be refused with, as the extension's error code, used
 * instead of `payment_failed` once the extension is negotiated. A root key neither the trust
 * list nor the platform profile's `signing_keys` holds is `agent_missing_key`; a mandate that
 * cannot be read or whose bindings break is `mandate_invalid_signature`; a time window not met
 * is `mandate_expired`; a mandate for anything but this checkout, amount and payee, or spent
 * already, is `mandate_scope_mismatch`.
 */
export const AP2_ERROR_CODE_OF_BLOCKER = {
  MANDATE_MALFORMED: 'mandate_invalid_signature',
  MANDATE_SIGNATURE_INVALID: 'mandate_invalid_signature',
  MANDATE_ISSUER_UNTRUSTED: 'agent_missing_key',
  MANDATE_BINDING_INVALID: 'mandate_invalid_signature',
  MANDATE_TAMPERED: 'mandate_invalid_signature',
  MANDATE_NOT_CLOSED: 'mandate_invalid_signature',
  MANDATE_TYPE_INVALID: 'mandate_invalid_signature',
  MANDATE_EXPIRED: 'mandate_expired',
  MANDATE_NOT_YET_VALID: 'mandate_expired',
  MANDATE_AUDIENCE_MISMATCH: 'mandate_scope_mismatch',
  MANDATE_NONCE_MISMATCH: 'mandate_scope_mismatch',
  MANDATE_CLAIMS_CHANGED: 'mandate_scope_mismatch',
  MANDATE_CHECKOUT_MISMATCH: 'mandate_scope_mismatch',
  MANDATE_AMOUNT_MISMATCH: 'mandate_scope_mismatch',
  MANDATE_PAYEE_MISMATCH: 'mandate_scope_mismatch',
  MANDATE_CONSTRAINT_UNKNOWN: 'mandate_scope_mismatch',
  MANDATE_SCOPE_MISMATCH: 'mandate_scope_mismatch',
  MANDATE_REPLAYED: 'mandate_scope_mismatch',
  MANDATE_MERCHANT_AUTHORIZATION_INVALID: 'merchant_authorization_invalid',
} as const satisfies Partial<Record<BlockerCode, Ap2ErrorCode>>;
