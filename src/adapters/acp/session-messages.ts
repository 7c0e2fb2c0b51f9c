import type { BlockerCode } from '../../domain/index.js';
import type { ProductBlocker } from '../../services/checkout/checkout-session-steps.js';

/** `MessageError.code` (2026-04-17): the closed list of words ACP has for a session's problems. */
export type AcpMessageErrorCode =
  | 'missing'
  | 'invalid'
  | 'out_of_stock'
  | 'payment_declined'
  | 'quantity_exceeded'
  | 'maximum_exceeded'
  | 'region_restricted'
  | 'approval_required'
  | 'unsupported'
  | 'not_found'
  | 'conflict'
  | 'expired';

type Resolution = 'recoverable' | 'requires_buyer_input' | 'requires_buyer_review';

/** Where in the session a blocker points (an RFC 9535 JSONPath), when it is about one part. */
type ParamOf = 'line' | 'payment';

interface MessageRow {
  code: AcpMessageErrorCode;
  /** Who can lift it; absent where only the merchant can (a missing policy, stale facts). */
  resolution?: Resolution;
  param?: ParamOf;
}

/**
 * Each blocker the domain can return, as an ACP `MessageError` of the session (STYLE §3:
 * blockers are results; ACP carries them as `messages[]`). The message text is the blocker's
 * own message and next action. The merchant's gaps (missing or pending policies, stale facts)
 * have no ACP word of their own: they are `unsupported` (the merchant cannot sell this here
 * now), never a made-up success.
 */
export const BLOCKER_MESSAGES = {
  PRODUCT_UNKNOWN: { code: 'not_found', resolution: 'recoverable', param: 'line' },
  PRODUCT_INACTIVE: { code: 'unsupported', resolution: 'recoverable', param: 'line' },
  PRICE_MISSING: { code: 'unsupported', param: 'line' },
  PRICE_STALE: { code: 'unsupported', param: 'line' },
  INVENTORY_MISSING: { code: 'unsupported', param: 'line' },
  INVENTORY_STALE: { code: 'unsupported', param: 'line' },
  OUT_OF_STOCK: { code: 'out_of_stock', resolution: 'recoverable', param: 'line' },
  RETURN_POLICY_MISSING: { code: 'unsupported', param: 'line' },
  SHIPPING_POLICY_MISSING: { code: 'region_restricted', param: 'line' },
  WARRANTY_POLICY_MISSING: { code: 'unsupported', param: 'line' },
  CANCELLATION_POLICY_MISSING: { code: 'unsupported', param: 'line' },
  POLICY_CONFLICT: { code: 'unsupported', param: 'line' },
  POLICY_NOT_QUOTEABLE: { code: 'unsupported', param: 'line' },
  POLICY_PENDING_APPROVAL: { code: 'approval_required', param: 'line' },
  REGION_RESTRICTED: {
    code: 'region_restricted',
    resolution: 'requires_buyer_input',
    param: 'line',
  },
  GENERATED_CLAIMS_PENDING_REVIEW: { code: 'unsupported', param: 'line' },
  GENERATED_CLAIMS_BLOCKED: { code: 'unsupported', param: 'line' },
  CHECKOUT_NOT_READY: { code: 'unsupported' },
  AUTHORITY_CHECKED_PER_REQUEST: { code: 'missing', resolution: 'recoverable', param: 'payment' },
  AUTHORITY_MISSING: { code: 'missing', resolution: 'recoverable', param: 'payment' },
  MANDATE_EXPIRED: { code: 'expired', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_REVOKED: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_SCOPE_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  CART_SNAPSHOT_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  AMOUNT_EXCEEDS_LIMIT: {
    code: 'maximum_exceeded',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  CURRENCY_MISMATCH: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MERCHANT_MISMATCH: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  CHECKOUT_SESSION_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  CHECKOUT_SESSION_INVALID: { code: 'conflict', resolution: 'recoverable' },
  HUMAN_CONFIRMATION_REQUIRED: { code: 'approval_required', resolution: 'requires_buyer_review' },
  ACTOR_NOT_ALLOWED: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  ILLEGAL_TRANSITION: { code: 'conflict', resolution: 'recoverable' },
  CART_VERSION_CONFLICT: { code: 'conflict', resolution: 'recoverable' },
  AMOUNT_MISMATCH: { code: 'conflict', resolution: 'recoverable' },
  CART_EMPTY: { code: 'missing', resolution: 'recoverable' },
  CART_CURRENCY_MIXED: { code: 'unsupported', resolution: 'recoverable', param: 'line' },
  PAYMENT_TRANSITION_REFUSED: { code: 'conflict', resolution: 'recoverable' },
  REFUND_EXCEEDS_CAPTURED: { code: 'invalid' },
  RESERVATION_UNCONFIRMED: { code: 'payment_declined', resolution: 'recoverable' },
  AUTHORIZATION_UNCONFIRMED: { code: 'payment_declined', resolution: 'recoverable' },
  CAPTURE_UNCONFIRMED: { code: 'conflict' },
  // The delegation checks refuse a token before a session sees it; a stored token can still
  // have outlived its card or carry an allowance the domain refuses at payment time.
  MANDATE_AMOUNT_NOT_POSITIVE: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_LIFETIME_TOO_LONG: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  INSTRUMENT_EXPIRED: { code: 'expired', resolution: 'requires_buyer_review', param: 'payment' },
  RISK_BLOCKED: { code: 'payment_declined', resolution: 'requires_buyer_review', param: 'payment' },
  // A signed mandate (AP2) whose proof failed: the agent presents another credential.
  MANDATE_MALFORMED: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_SIGNATURE_INVALID: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_ISSUER_UNTRUSTED: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_NOT_YET_VALID: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_AUDIENCE_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_NONCE_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_BINDING_INVALID: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_TAMPERED: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_NOT_CLOSED: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_CLAIMS_CHANGED: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_CHECKOUT_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_MERCHANT_AUTHORIZATION_INVALID: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_AMOUNT_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_PAYEE_MISMATCH: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_CONSTRAINT_UNKNOWN: {
    code: 'invalid',
    resolution: 'requires_buyer_review',
    param: 'payment',
  },
  MANDATE_TYPE_INVALID: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
  MANDATE_REPLAYED: { code: 'invalid', resolution: 'requires_buyer_review', param: 'payment' },
} as const satisfies Record<BlockerCode, MessageRow>;

/** An ACP `MessageError` as sent. */
export interface AcpMessageError {
  type: 'error';
  code: AcpMessageErrorCode;
  severity: 'high';
  resolution?: Resolution;
  param?: string;
  content_type: 'plain';
  content: string;
}

/**
 * The last payment attempt stopped short for a reason the merchant has no blocker for (the
 * provider refused the reservation or the authorization): the spec's `payment_declined`.
 */
export const PAYMENT_STOPPED: AcpMessageError = {
  type: 'error',
  code: 'payment_declined',
  severity: 'high',
  resolution: 'requires_buyer_review',
  param: '$.payment_data.instrument.credential.token',
  content_type: 'plain',
  content: 'The last payment attempt did not go through. Complete again with another payment.',
};

/** A blocker and, where the domain decided it for one product, that product. */
export type SessionBlocker = ProductBlocker;

/** Index of a product's line in the session's `line_items`, when it has one. */
export type LineIndexOf = (productId: string) => number | undefined;

const PAYMENT_PARAM = '$.payment_data.instrument.credential.token';

function paramOf(entry: SessionBlocker, row: MessageRow, lineOf: LineIndexOf): string | undefined {
  if (row.param === 'payment') return PAYMENT_PARAM;
  if (row.param !== 'line' || entry.productId === undefined) return undefined;
  const index = lineOf(entry.productId);
  return index === undefined ? undefined : `$.line_items[${index}]`;
}

export function messageOfBlocker(entry: SessionBlocker, lineOf: LineIndexOf): AcpMessageError {
  const { blocker, productId } = entry;
  const row: MessageRow = BLOCKER_MESSAGES[blocker.code];
  // A product that is not a line (the domain refused to add it) is named in the text.
  const about = productId !== undefined && lineOf(productId) === undefined ? `${productId}: ` : '';
  const message: AcpMessageError = {
    type: 'error',
    code: row.code,
    severity: 'high',
    content_type: 'plain',
    content: `${about}${blocker.message} ${blocker.nextAction}`,
  };
  if (row.resolution !== undefined) message.resolution = row.resolution;
  const param = paramOf(entry, row, lineOf);
  if (param !== undefined) message.param = param;
  return message;
}

/** One message per distinct blocker (a code once per product it is about). */
export function messagesOfBlockers(
  entries: readonly SessionBlocker[],
  lineOf: LineIndexOf,
): AcpMessageError[] {
  const seen = new Set<string>();
  const messages: AcpMessageError[] = [];
  for (const entry of entries) {
    const key = `${entry.blocker.code}\u0000${entry.productId ?? ''}\u0000${entry.blocker.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    messages.push(messageOfBlocker(entry, lineOf));
  }
  return messages;
}
