import type { CheckoutState } from '../../domain/index.js';

/** `CheckoutSessionBase.status` (2026-04-17), the values this adapter sends. */
export type AcpSessionStatus =
  | 'not_ready_for_payment'
  | 'ready_for_payment'
  | 'complete_in_progress'
  | 'completed'
  | 'canceled'
  | 'expired';

/**
 * The session's status for each state of our checkout. The state is the domain's; this only
 * names it in ACP's words. `completing` and `capture_delayed` are both "the payment chain is
 * running": the session completes when the capture succeeds (effect settlement), not when
 * `complete` is called.
 */
export const SESSION_STATUS = {
  cart_open: 'not_ready_for_payment',
  ready_for_payment: 'ready_for_payment',
  completing: 'complete_in_progress',
  capture_delayed: 'complete_in_progress',
  completed: 'completed',
  canceled: 'canceled',
  expired: 'expired',
} as const satisfies Record<CheckoutState, AcpSessionStatus>;

export function sessionStatusOf(state: CheckoutState): AcpSessionStatus {
  return SESSION_STATUS[state];
}
