import type { UcpInstrument } from './checkout-request.js';
import { UCP_VERSION } from './version.js';

/**
 * The one payment handler we advertise (overview.md, "Payment Handlers"; a tokenizer handler as
 * in its "processor tokenizer" scenario). The platform tokenizes the buyer's card at our
 * delegate_payment endpoint (ACP 2026-04-17), where the card is checked and an allowance —
 * limit, currency, the checkout it is for, expiry — is bound to the token; it then completes the
 * UCP checkout with the token as the instrument's credential. The allowance, not the card, is
 * the payment authority the domain decides on, the same way for every protocol.
 */
export const DELEGATED_PAYMENT_HANDLER = {
  /** The handler's reverse-domain name (its key in `payment_handlers`). */
  name: 'com.agentcommerceworker.delegated_payment',
  /** `handler_id` of the instruments it produces. */
  id: 'delegated_payment',
  /** `credential.type` of its tokens. */
  credentialType: 'delegated_payment_token',
  tokenPath: '/agentic_commerce/delegate_payment',
} as const;

/** The handler as `ucp.payment_handlers` declares it, at the service's public base URL. */
export function paymentHandlersOf(baseUrl: string) {
  return {
    [DELEGATED_PAYMENT_HANDLER.name]: [
      {
        id: DELEGATED_PAYMENT_HANDLER.id,
        version: UCP_VERSION,
        available_instruments: [{ type: 'card' }],
        config: {
          token_url: `${baseUrl}${DELEGATED_PAYMENT_HANDLER.tokenPath}`,
          token_format: 'acp_delegate_payment_2026-04-17',
          credential_type: DELEGATED_PAYMENT_HANDLER.credentialType,
        },
      },
    ],
  };
}

/**
 * The token of the instrument to pay with: the one marked `selected` (or the only one), when
 * our handler produced it and it carries a token; otherwise why not, in the buyer's words.
 */
export function delegatedTokenOf(
  instruments: readonly UcpInstrument[],
): { token: string } | { problem: string } {
  const chosen =
    instruments.find((instrument) => instrument.selected === true) ??
    (instruments.length === 1 ? instruments[0] : undefined);
  if (chosen === undefined)
    return {
      problem: 'Mark the instrument to pay with as selected (payment.instruments[].selected).',
    };
  if (chosen.handler_id !== DELEGATED_PAYMENT_HANDLER.id)
    return {
      problem: `Payment handler ${JSON.stringify(chosen.handler_id)} is not offered here; pay with handler "${DELEGATED_PAYMENT_HANDLER.id}".`,
    };
  const token = chosen.credential?.token;
  if (token === undefined || token.length === 0)
    return {
      problem: `Send the delegated payment token as the instrument's credential (type "${DELEGATED_PAYMENT_HANDLER.credentialType}").`,
    };
  return { token };
}
