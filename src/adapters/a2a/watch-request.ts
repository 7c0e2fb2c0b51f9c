import { z } from 'zod';
import {
  type SubscriptionBody,
  SubscriptionBodySchema,
  SubscriptionIdSchema,
} from '../../services/subscriptions/product-subscription.js';
import { WATCH_VOCABULARY, type WatchActionName } from './action-vocabulary.js';
import { invalidParams } from './request-data.js';

/**
 * A product-watch request (issue 18) from a message's data part, e.g.
 * `{ "action": "watch_products", "subscriptionId": "watch-umbrella", "url": "https://…/hooks",
 *    "products": ["UMBRELLA-1"], "contexts": ["EU:consumer:agent"] }`.
 * A watch takes exactly the body of `PUT /v1/subscriptions/{id}` (SubscriptionBodySchema, strict:
 * a misspelt filter is named, never dropped, as it would widen the watch to everything) plus the
 * id the REST route takes from its path.
 */
export type WatchRequest =
  | { op: 'watch'; subscriptionId: string; body: SubscriptionBody }
  | { op: 'unwatch'; subscriptionId: string }
  | { op: 'list' };

/** Each watch word's schema, giving its request; built once (zod compiles a schema on first use). */
const SCHEMA_OF: { [name in WatchActionName]: z.ZodType<WatchRequest> } = {
  watch_products: SubscriptionBodySchema.extend({
    action: z.literal('watch_products'),
    subscriptionId: SubscriptionIdSchema,
  }).transform(({ action: _action, subscriptionId, ...body }) => ({
    op: WATCH_VOCABULARY.watch_products,
    subscriptionId,
    body,
  })),
  unwatch_products: z
    .strictObject({ action: z.literal('unwatch_products'), subscriptionId: SubscriptionIdSchema })
    .transform(({ subscriptionId }) => ({ op: WATCH_VOCABULARY.unwatch_products, subscriptionId })),
  list_watches: z
    .strictObject({ action: z.literal('list_watches') })
    .transform(() => ({ op: WATCH_VOCABULARY.list_watches })),
};

/**
 * Reads one watch request; `at` is the JSON path of the data it came from, so every problem
 * names the field to fix, in the invalid-params shape every bad request of this agent gets.
 */
export function parseWatchRequest(
  name: WatchActionName,
  data: Record<string, unknown>,
  at: string,
): WatchRequest {
  const parsed = SCHEMA_OF[name].safeParse(data);
  if (!parsed.success) throw invalidParams(parsed.error, at);
  return parsed.data;
}
