import type { CheckoutState } from '../../domain/index.js';
import type { UcpMessageError } from './checkout-messages.js';

/** `checkout.status` (2026-04-08). */
export type UcpCheckoutStatus =
  | 'incomplete'
  | 'requires_escalation'
  | 'ready_for_complete'
  | 'complete_in_progress'
  | 'completed'
  | 'canceled';

/**
 * The status for each state of our checkout: the state is the domain's, this only names it in
 * UCP's words. `completing` and `capture_delayed` are both "the payment chain is running"; an
 * expired session is, to UCP, `canceled` ("session invalid/expired").
 */
export const UCP_CHECKOUT_STATUS = {
  cart_open: 'incomplete',
  ready_for_payment: 'ready_for_complete',
  completing: 'complete_in_progress',
  capture_delayed: 'complete_in_progress',
  completed: 'completed',
  canceled: 'canceled',
  expired: 'canceled',
} as const satisfies Record<CheckoutState, UcpCheckoutStatus>;

/** The statuses a `requires_*` error turns into `requires_escalation` (checkout.md). */
const ESCALATES: ReadonlySet<UcpCheckoutStatus> = new Set(['incomplete', 'ready_for_complete']);

/**
 * The status of a checkout in `state` answered with `messages`: "Errors with `requires_*`
 * severity contribute to `status: requires_escalation`" while the checkout is still open.
 */
export function ucpStatusOf(
  state: CheckoutState,
  messages: readonly Pick<UcpMessageError, 'severity'>[],
): UcpCheckoutStatus {
  const status = UCP_CHECKOUT_STATUS[state];
  const needsBuyer = messages.some((message) => message.severity.startsWith('requires_'));
  return needsBuyer && ESCALATES.has(status) ? 'requires_escalation' : status;
}
