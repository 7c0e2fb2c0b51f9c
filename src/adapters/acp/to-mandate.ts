import type { CurrencyCode, Mandate } from '../../domain/index.js';
import type { Allowance } from './allowance.js';

/**
 * The authority reference of an allowance that names no delegated payment token: the session
 * it is bound to and its expiry, so two allowances for one session stay two references.
 */
export function allowanceRefOf(allowance: Allowance): string {
  return `acp_allowance:${allowance.checkout_session_id}:${allowance.expires_at}`;
}

/**
 * The ONE mapping from an ACP allowance to the domain's authority input: its constraints kept
 * (merchant, session, limit, expiry), never reduced to "has a mandate". Every entry point that
 * takes an allowance (HTTP checkout routes, A2A) maps it here, so a payment authority is named
 * the same in the decision's evidence whichever way it came in.
 *
 * @param tokenRef the delegated payment token's id (ACP vault token), when the caller names
 *   one: it then names the mandate in evidence.
 */
export function mandateOfAllowance(allowance: Allowance, tokenRef?: string): Mandate {
  return {
    ref: tokenRef ?? allowanceRefOf(allowance),
    kind: 'acp_allowance',
    merchantId: allowance.merchant_id,
    checkoutSessionId: allowance.checkout_session_id,
    maxAmount: {
      amount: allowance.max_amount,
      // The schema admits only lower-case codes whose upper case is a supported currency.
      currency: allowance.currency.toUpperCase() as CurrencyCode,
    },
    expiresAt: allowance.expires_at,
  };
}
