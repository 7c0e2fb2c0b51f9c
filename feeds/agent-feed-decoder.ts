import type { DecisionClaim, SurfaceReading } from '../src/domain/surface-claims.js';
import { AgentFeedItemSchema } from './agent-feed.js';

/**
 * Reads an agent feed item (one JSON line, as published) back into what it claims: the result
 * of each of the six actions, and the blocker codes behind them for the product as a whole (the
 * item does not say which action each code holds back). The spec of projectAgentItem.
 */
// The published item's own schema, narrowed to what it claims about decisions.
const AgentFeedWireSchema = AgentFeedItemSchema.pick({
  productId: true,
  actions: true,
  blockers: true,
});

/** The item's field for each canonical action. */
const FIELD_OF = {
  discover: 'discover',
  compare: 'compare',
  quote_policy: 'quotePolicy',
  add_to_cart: 'addToCart',
  prepare_checkout: 'prepareCheckout',
  delegate_payment: 'delegatePayment',
} as const;

export function decodeAgentFeedItem(wire: unknown): SurfaceReading {
  const item = AgentFeedWireSchema.parse(wire);
  const claims: DecisionClaim[] = Object.entries(FIELD_OF).map(([action, field]) => ({
    action: action as DecisionClaim['action'],
    result: item.actions[field],
  }));
  return { claims, productBlockers: item.blockers };
}
