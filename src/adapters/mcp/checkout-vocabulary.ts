import {
  AWAITING_PAYMENT_STATES,
  allowedEvents,
  type CheckoutEvent,
  type CheckoutState,
} from '../../domain/index.js';

/** The checkout tools' names, as `tools/list` publishes them and `nextActions` names them. */
export const CHECKOUT_TOOL_NAMES = {
  createCart: 'create_cart',
  addToCart: 'add_to_cart',
  removeFromCart: 'remove_from_cart',
  prepareCheckout: 'prepare_checkout',
  signCheckout: 'sign_checkout',
  completeCheckout: 'complete_checkout',
  cancelCheckout: 'cancel_checkout',
  getCheckout: 'get_checkout',
} as const;
export type CheckoutToolName = (typeof CHECKOUT_TOOL_NAMES)[keyof typeof CHECKOUT_TOOL_NAMES];

/**
 * The tool that sends each checkout event an agent may send. Events no tool sends (a line's
 * quantity set, the payment chain's outcomes, expiry) have no row.
 */
const TOOL_OF_EVENT: Partial<Record<CheckoutEvent, CheckoutToolName>> = {
  add_item: CHECKOUT_TOOL_NAMES.addToCart,
  remove_item: CHECKOUT_TOOL_NAMES.removeFromCart,
  prepare: CHECKOUT_TOOL_NAMES.prepareCheckout,
  start_payment: CHECKOUT_TOOL_NAMES.completeCheckout,
  cancel: CHECKOUT_TOOL_NAMES.cancelCheckout,
};

/**
 * The tools a checkout in `state` takes next: those whose event the domain's transition table
 * has in the state's row, and get_checkout while the payment chain runs (the state changes
 * without a call). What a call then answers is still decided when it is made.
 */
export function nextToolsOf(state: CheckoutState): CheckoutToolName[] {
  const tools = allowedEvents(state).flatMap((event) => TOOL_OF_EVENT[event] ?? []);
  if (AWAITING_PAYMENT_STATES.includes(state)) tools.push(CHECKOUT_TOOL_NAMES.getCheckout);
  return tools;
}
