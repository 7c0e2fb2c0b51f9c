import type {
  CommerceAction,
  CommerceIntent,
  IntentAnswer,
  IntentOutcome,
} from '../domain/index.js';

/**
 * Carries out canonical intents for every ingress that queues them (A2A today). Read-only
 * actions evaluate the product; state-changing ones go through the checkout service.
 */
export interface IntentExecutor {
  /** Whether this deployment can carry out the action; ingresses refuse the rest before queueing. */
  supports(action: CommerceAction): boolean;
  execute(tenant: string, intent: CommerceIntent, answer: IntentAnswer): Promise<IntentOutcome>;
}

/** The actions that change state (carts, checkouts, payment delegation). */
export const STATE_CHANGING_ACTIONS: readonly CommerceAction[] = [
  'add_to_cart',
  'prepare_checkout',
  'delegate_payment',
];

export function isStateChanging(action: CommerceAction): boolean {
  return STATE_CHANGING_ACTIONS.includes(action);
}
