import type { BlockerCode } from '../../domain/index.js';
import type { ProductBlocker } from '../../services/checkout/checkout-session-steps.js';

/**
 * `message_error.severity` (2026-04-08): who can lift an error. `requires_*` severities make a
 * checkout `requires_escalation` (a buyer handoff through `continue_url`).
 */
export type UcpSeverity =
  | 'recoverable'
  | 'requires_buyer_input'
  | 'requires_buyer_review'
  | 'unrecoverable';

/** Where in the checkout an error points (an RFC 9535 JSONPath), when it is about one part. */
type PathOf = 'line' | 'payment';

interface MessageRow {
  /** The spec's standard codes where one fits (`error_code.json` examples), else our own word. */
  code: string;
  severity: UcpSeverity;
  path?: PathOf;
}

/**
 * Each blocker the domain can return, as a UCP error message of the checkout. A product the
 * merchant cannot sell here now (a missing or pending policy, stale facts, an inactive listing)
 * is the spec's `item_unavailable`, `recoverable`: the platform can take the line out and go on,
 * and the text says what is missing; no blocker is ever turned into a success. A payment
 * authority the domain refuses is `payment_failed`, recoverable with another credential.
 */
export const UCP_BLOCKER_MESSAGES = {
  PRODUCT_UNKNOWN: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  PRODUCT_INACTIVE: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  PRICE_MISSING: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  PRICE_STALE: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  INVENTORY_MISSING: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  INVENTORY_STALE: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  OUT_OF_STOCK: { code: 'out_of_stock', severity: 'recoverable', path: 'line' },
  RETURN_POLICY_MISSING: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  SHIPPING_POLICY_MISSING: { code: 'address_undeliverable', severity: 'recoverable', path: 'line' },
  WARRANTY_POLICY_MISSING: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  CANCELLATION_POLICY_MISSING: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  POLICY_CONFLICT: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  POLICY_NOT_QUOTEABLE: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  POLICY_PENDING_APPROVAL: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  REGION_RESTRICTED: { code: 'address_undeliverable', severity: 'recoverable', path: 'line' },
  GENERATED_CLAIMS_PENDING_REVIEW: {
    code: 'item_unavailable',
    severity: 'recoverable',
    path: 'line',
  },
  GENERATED_CLAIMS_BLOCKED: { code: 'item_unavailable', severity: 'recoverable', path: 'line' },
  CHECKOUT_NOT_READY: { code: 'item_unavailable', severity: 'recoverable' },
  AUTHORITY_CHECKED_PER_REQUEST: {
    code: 'payment_required',
    severity: 'recoverable',
    path: 'payment',
  },
  AUTHORITY_MISSING: { code: 'payment_required', severity: 'recoverable', path: 'payment' },
  MANDATE_EXPIRED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_REVOKED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_SCOPE_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  CART_SNAPSHOT_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  AMOUNT_EXCEEDS_LIMIT: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  CURRENCY_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MERCHANT_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  CHECKOUT_SESSION_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  CHECKOUT_SESSION_INVALID: { code: 'checkout_conflict', severity: 'recoverable' },
  // The domain asks a person to confirm: only the buyer can, through the merchant's own page.
  HUMAN_CONFIRMATION_REQUIRED: {
    code: 'buyer_confirmation_required',
    severity: 'requires_buyer_review',
  },
  ACTOR_NOT_ALLOWED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  ILLEGAL_TRANSITION: { code: 'checkout_conflict', severity: 'recoverable' },
  CART_VERSION_CONFLICT: { code: 'checkout_conflict', severity: 'recoverable' },
  AMOUNT_MISMATCH: { code: 'checkout_conflict', severity: 'recoverable' },
  CART_EMPTY: { code: 'checkout_empty', severity: 'recoverable' },
  CART_CURRENCY_MIXED: { code: 'currency_mixed', severity: 'recoverable', path: 'line' },
  PAYMENT_TRANSITION_REFUSED: { code: 'checkout_conflict', severity: 'recoverable' },
  REFUND_EXCEEDS_CAPTURED: { code: 'refund_exceeds_captured', severity: 'unrecoverable' },
  RESERVATION_UNCONFIRMED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  AUTHORIZATION_UNCONFIRMED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  CAPTURE_UNCONFIRMED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_AMOUNT_NOT_POSITIVE: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_LIFETIME_TOO_LONG: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  INSTRUMENT_EXPIRED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  // The merchant's risk check refused the payment: the buyer sorts it out on the merchant's page.
  RISK_BLOCKED: { code: 'payment_failed', severity: 'requires_buyer_review', path: 'payment' },
  // A signed mandate (AP2) whose proof failed: recoverable with another credential.
  MANDATE_MALFORMED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_SIGNATURE_INVALID: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_ISSUER_UNTRUSTED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_NOT_YET_VALID: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_AUDIENCE_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_NONCE_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_BINDING_INVALID: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_TAMPERED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_NOT_CLOSED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_CLAIMS_CHANGED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_CHECKOUT_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_MERCHANT_AUTHORIZATION_INVALID: {
    code: 'payment_failed',
    severity: 'recoverable',
    path: 'payment',
  },
  MANDATE_AMOUNT_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_PAYEE_MISMATCH: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_CONSTRAINT_UNKNOWN: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_TYPE_INVALID: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
  MANDATE_REPLAYED: { code: 'payment_failed', severity: 'recoverable', path: 'payment' },
} as const satisfies Record<BlockerCode, MessageRow>;

/** A UCP `message_error` as sent. */
export interface UcpMessageError {
  type: 'error';
  code: string;
  severity: UcpSeverity;
  path?: string;
  content_type: 'plain';
  content: string;
}

/** Index of a product's line in the checkout's `line_items`, when it has one. */
export type LineIndexOf = (productId: string) => number | undefined;

export const PAYMENT_PATH = '$.payment.instruments[0]';

/**
 * The last payment attempt stopped short for a reason the merchant has no blocker for (the
 * provider refused the reservation or the authorization): the spec's `payment_failed`.
 */
export const UCP_PAYMENT_STOPPED: UcpMessageError = {
  type: 'error',
  code: 'payment_failed',
  severity: 'recoverable',
  path: PAYMENT_PATH,
  content_type: 'plain',
  content: 'The last payment attempt did not go through. Complete again with another payment.',
};

function pathOf(entry: ProductBlocker, row: MessageRow, lineOf: LineIndexOf): string | undefined {
  if (row.path === 'payment') return PAYMENT_PATH;
  if (row.path !== 'line' || entry.productId === undefined) return undefined;
  const index = lineOf(entry.productId);
  return index === undefined ? undefined : `$.line_items[${index}]`;
}

export function ucpMessageOfBlocker(
  entry: ProductBlocker,
  lineOf: LineIndexOf,
  codeOf: Partial<Record<BlockerCode, string>> = {},
): UcpMessageError {
  const { blocker, productId } = entry;
  const row: MessageRow = UCP_BLOCKER_MESSAGES[blocker.code];
  // A product that is not a line (the domain refused to add it) is named in the text.
  const about = productId !== undefined && lineOf(productId) === undefined ? `${productId}: ` : '';
  const message: UcpMessageError = {
    type: 'error',
    code: codeOf[blocker.code] ?? row.code,
    severity: row.severity,
    content_type: 'plain',
    content: `${about}${blocker.message} ${blocker.nextAction}`,
  };
  const path = pathOf(entry, row, lineOf);
  if (path !== undefined) message.path = path;
  return message;
}

/** One message per distinct blocker (a code once per product it is about). */
export function ucpMessagesOfBlockers(
  entries: readonly ProductBlocker[],
  lineOf: LineIndexOf,
  codeOf: Partial<Record<BlockerCode, string>> = {},
): UcpMessageError[] {
  const seen = new Set<string>();
  const messages: UcpMessageError[] = [];
  for (const entry of entries) {
    const key = `${entry.blocker.code}\u0000${entry.productId ?? ''}\u0000${entry.blocker.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    messages.push(ucpMessageOfBlocker(entry, lineOf, codeOf));
  }
  return messages;
}
