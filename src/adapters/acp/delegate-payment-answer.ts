import type { Blocker, BlockerCode } from '../../domain/index.js';

/**
 * What `POST /agentic_commerce/delegate_payment` answers (2026-04-17): the vault token
 * (`DelegatePaymentResponse`), or the domain's refusal as the spec's 422 `invalid_card` naming
 * the field that carried the refused value.
 */

export interface DelegatePaymentResponse {
  id: string;
  created: string;
  metadata: Record<string, string>;
}

export interface MintedToken {
  id: string;
  createdAt: string;
  merchantId: string;
  metadata: Record<string, string>;
}

/**
 * "Metadata echoed from the request plus system-added fields" (the spec's example adds
 * `merchant_id` and `idempotency_key`): the system's fields win over a request key of the
 * same name, so what they say can be relied on.
 */
export function delegatePaymentResponseOf(
  token: MintedToken,
  idempotencyKey: string | undefined,
): DelegatePaymentResponse {
  const metadata: Record<string, string> = { ...token.metadata, merchant_id: token.merchantId };
  if (idempotencyKey !== undefined) metadata.idempotency_key = idempotencyKey;
  return { id: token.id, created: token.createdAt, metadata };
}

/** The request field each delegation blocker is about (RFC 9535 JSONPath). */
const PARAM_OF_BLOCKER: Partial<Readonly<Record<BlockerCode, string>>> = {
  MANDATE_AMOUNT_NOT_POSITIVE: '$.allowance.max_amount',
  MANDATE_EXPIRED: '$.allowance.expires_at',
  MANDATE_LIFETIME_TOO_LONG: '$.allowance.expires_at',
  MANDATE_REVOKED: '$.allowance',
  INSTRUMENT_EXPIRED: '$.payment_method.exp_year',
  RISK_BLOCKED: '$.risk_signals',
};

export interface DelegationRefusal {
  message: string;
  param?: string;
}

/** The domain's blockers as one refusal: the first one's field, every one's words. */
export function delegationRefusalOf(blockers: readonly Blocker[]): DelegationRefusal {
  const first = blockers[0];
  const refusal: DelegationRefusal = {
    message: blockers.map((found) => `${found.message} ${found.nextAction}`).join(' '),
  };
  const param = first === undefined ? undefined : PARAM_OF_BLOCKER[first.code];
  if (param !== undefined) refusal.param = param;
  return refusal;
}
