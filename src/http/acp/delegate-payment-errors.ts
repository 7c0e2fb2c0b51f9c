import type { AcpError, AcpErrorDialect } from './acp-error.js';

/**
 * delegate_payment's `Error` (2026-04-17) enumerates its types and codes, fewer than the other
 * ACP endpoints use: no `unauthorized`, no version codes, no 5xx codes (its own 401, 500 and 503
 * examples fall outside it). Every answer of the route is worded into it by this table so that
 * each body validates; the HTTP status keeps the precise meaning, and a code that had to be
 * replaced stays readable at the head of the message.
 */
export const DELEGATE_PAYMENT_ERROR_CODES = [
  'invalid_card',
  'duplicate_request',
  'idempotency_conflict',
  'too_many_requests',
  'idempotency_key_required',
  'idempotency_in_flight',
] as const;
type DelegateCode = (typeof DELEGATE_PAYMENT_ERROR_CODES)[number];

const KEPT: ReadonlySet<string> = new Set(DELEGATE_PAYMENT_ERROR_CODES);

/** Codes that mean "the request as sent is not valid": the spec's one such code is invalid_card. */
const REQUEST_INVALID = new Set(['invalid_request', 'invalid_header']);

interface Wording {
  type: AcpError['type'];
  code: DelegateCode;
}

/**
 * By status class: a client error is `invalid_card` (the enum's only "fix the request" code),
 * a rate limit `too_many_requests`, and a server failure `too_many_requests` too — the enum's
 * only "retry later" code, which is what the message says.
 */
function wordingOf(statusCode: number): Wording {
  if (statusCode === 429) return { type: 'rate_limit_exceeded', code: 'too_many_requests' };
  if (statusCode === 503) return { type: 'service_unavailable', code: 'too_many_requests' };
  if (statusCode >= 500) return { type: 'processing_error', code: 'too_many_requests' };
  return { type: 'invalid_request', code: 'invalid_card' };
}

export const delegatePaymentDialect: AcpErrorDialect = (body, statusCode) => {
  const wording = wordingOf(statusCode);
  const code = KEPT.has(body.code) ? (body.code as DelegateCode) : wording.code;
  const message =
    code === body.code || REQUEST_INVALID.has(body.code)
      ? body.message
      : `${body.code}: ${body.message}`;
  const worded: AcpError = { type: wording.type, code, message };
  if (body.param !== undefined) worded.param = body.param;
  if (body.supported_versions !== undefined) worded.supported_versions = body.supported_versions;
  return worded;
};
