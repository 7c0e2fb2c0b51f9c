import { z } from 'zod';
import {
  actionResult,
  DecisionResultSchema,
  GENERATED_CLAIMS_STATUSES,
  publishableDescription,
  statedBlockerCodes,
} from '../src/domain/index.js';
import { compileItemSerializer, type FeedFormat, type FeedItemInput } from './feed-format.js';

/**
 * The compact agent product feed (DESIGN.md, "internal feeds are adapters too"): per product the
 * result of each action in the feed's context, the blocker codes behind them, and how long the
 * item may be relied on. Compact without being optimistic.
 */
export const AgentFeedItemSchema = z.object({
  productId: z.string(),
  title: z.string(),
  /** the price fact as known, in minor units; `actions.compare` says whether it is fresh */
  price: z.object({ amount: z.number().int(), currency: z.string() }).nullable(),
  actions: z.object({
    discover: DecisionResultSchema,
    compare: DecisionResultSchema,
    quotePolicy: DecisionResultSchema,
    addToCart: DecisionResultSchema,
    prepareCheckout: DecisionResultSchema,
    delegatePayment: DecisionResultSchema,
  }),
  /** codes of every blocker behind the actions above, each once */
  blockers: z.array(z.string()),
  generatedClaimsStatus: z.enum(GENERATED_CLAIMS_STATUSES).nullable(),
  /** merchant-written or approved text only; a pending generated description is never here */
  description: z.string().optional(),
  /** earliest expiry of what the decisions relied on; null when nothing expires */
  validUntil: z.string().nullable(),
  publishedAt: z.string(),
});
export type AgentFeedItem = z.infer<typeof AgentFeedItemSchema>;

export function projectAgentItem(input: FeedItemInput): AgentFeedItem {
  const { product, profile } = input;
  const item: AgentFeedItem = {
    productId: product.id,
    title: product.title,
    price: product.price
      ? { amount: product.price.amount, currency: product.price.currency }
      : null,
    actions: {
      discover: actionResult(profile, 'discover'),
      compare: actionResult(profile, 'compare'),
      quotePolicy: actionResult(profile, 'quote_policy'),
      addToCart: actionResult(profile, 'add_to_cart'),
      prepareCheckout: actionResult(profile, 'prepare_checkout'),
      delegatePayment: actionResult(profile, 'delegate_payment'),
    },
    blockers: statedBlockerCodes(profile),
    generatedClaimsStatus: product.generatedClaims?.status ?? null,
    validUntil: profile.validUntil,
    publishedAt: input.publishedAt,
  };
  const description = publishableDescription(product);
  if (description !== undefined) item.description = description;
  return item;
}

export const agentFeed: FeedFormat<AgentFeedItem> = {
  name: 'agent',
  extension: 'jsonl',
  contentType: 'application/x-ndjson',
  gzip: false,
  framing: { head: '', between: '', after: '\n', tail: '' },
  project: projectAgentItem,
  serialize: compileItemSerializer(AgentFeedItemSchema),
};
