import type { CommerceAction, PolicyDomain } from '../../domain/index.js';

/**
 * What a request asks for, in canonical terms: one commerce action (and, for quote_policy, the
 * policy domain when the name fixes it), or the whole product profile.
 */
export type RequestKind =
  | { kind: 'action'; action: CommerceAction; policyDomain?: PolicyDomain }
  | { kind: 'profile' };

/**
 * The words an agent may use in a request's `action` field, mapped to canonical intents. The
 * canonical names map to themselves; the rest is protocol vocabulary agents already use.
 * A name that fixes the policy domain (get_return_terms) refuses a request naming another.
 */
export const ACTION_VOCABULARY = {
  discover: { kind: 'action', action: 'discover' },
  get_product: { kind: 'action', action: 'discover' },
  lookup_product: { kind: 'action', action: 'discover' },
  compare: { kind: 'action', action: 'compare' },
  compare_products: { kind: 'action', action: 'compare' },
  quote_policy: { kind: 'action', action: 'quote_policy' },
  get_policy_terms: { kind: 'action', action: 'quote_policy' },
  get_return_terms: { kind: 'action', action: 'quote_policy', policyDomain: 'returns' },
  get_return_policy: { kind: 'action', action: 'quote_policy', policyDomain: 'returns' },
  get_shipping_terms: { kind: 'action', action: 'quote_policy', policyDomain: 'shipping' },
  get_shipping_policy: { kind: 'action', action: 'quote_policy', policyDomain: 'shipping' },
  get_warranty_terms: { kind: 'action', action: 'quote_policy', policyDomain: 'warranty' },
  get_cancellation_terms: {
    kind: 'action',
    action: 'quote_policy',
    policyDomain: 'cancellation',
  },
  add_to_cart: { kind: 'action', action: 'add_to_cart' },
  add_item_to_cart: { kind: 'action', action: 'add_to_cart' },
  prepare_checkout: { kind: 'action', action: 'prepare_checkout' },
  prepare_purchase: { kind: 'action', action: 'prepare_checkout' },
  create_checkout: { kind: 'action', action: 'prepare_checkout' },
  delegate_payment: { kind: 'action', action: 'delegate_payment' },
  get_profile: { kind: 'profile' },
  get_product_profile: { kind: 'profile' },
} as const satisfies Record<string, RequestKind>;

export type ActionName = keyof typeof ACTION_VOCABULARY;
export const ACTION_NAMES = Object.keys(ACTION_VOCABULARY) as [ActionName, ...ActionName[]];

export function requestKindOf(name: ActionName): RequestKind {
  return ACTION_VOCABULARY[name];
}

/**
 * The words of the product-watch extension (product-watch-extension.ts): requests about the
 * caller's product subscriptions, answered by the subscription service, not commerce intents.
 */
export const WATCH_VOCABULARY = {
  watch_products: 'watch',
  unwatch_products: 'unwatch',
  list_watches: 'list',
} as const;

export type WatchActionName = keyof typeof WATCH_VOCABULARY;
export const WATCH_ACTION_NAMES = Object.keys(WATCH_VOCABULARY) as [
  WatchActionName,
  ...WatchActionName[],
];

export function isWatchActionName(value: unknown): value is WatchActionName {
  return typeof value === 'string' && Object.hasOwn(WATCH_VOCABULARY, value);
}
