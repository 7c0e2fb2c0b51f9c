import { z } from 'zod';
import {
  type CommerceAction,
  CommerceActionSchema,
  ContextParameterSchema,
  contextKey,
} from '../../domain/index.js';

/**
 * What a subscriber can ask to hear of (issue 18). `profile.expiring` (a warning ahead of a
 * validUntil) is named by the issue but not built: a subscription asking for it is refused, not
 * stored to hear nothing.
 */
export const SUBSCRIPTION_EVENTS = ['decision.changed', 'profile.expiring'] as const;
const NOT_SENT_YET: readonly string[] = ['profile.expiring'];

export const SubscriptionIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, _ and - only' });

const ListOf = <T extends z.ZodType>(item: T, max: number) => z.array(item).min(1).max(max);

/**
 * `PUT /v1/subscriptions/{id}`'s body. Every filter is optional and narrows what the
 * subscription covers; a subscription with none covers the whole catalog. Unknown fields are
 * refused (a misspelt `categorys` would otherwise widen the subscription to everything).
 */
export const SubscriptionBodySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2_000),
  products: ListOf(z.string().min(1).max(200), 1_000).optional(),
  categories: ListOf(z.string().min(1).max(200), 200).optional(),
  /** `REGION:buyerType:channel`, each one of the contexts profiles are kept for. */
  contexts: ListOf(ContextParameterSchema, 64).optional(),
  actions: ListOf(CommerceActionSchema, 6).optional(),
  events: ListOf(z.enum(SUBSCRIPTION_EVENTS), 2)
    .refine((events) => !events.some((event) => NOT_SENT_YET.includes(event)), {
      message:
        'profile.expiring is not sent yet; subscribe to decision.changed (a decision flipping to requires_revalidation when a fact goes stale is one)',
    })
    .default(['decision.changed']),
});
export type SubscriptionBody = z.infer<typeof SubscriptionBodySchema>;

export interface ProductSubscription {
  id: string;
  url: string;
  products?: string[];
  categories?: string[];
  /** `REGION:buyerType:channel`, as written in the request */
  contexts?: string[];
  actions?: CommerceAction[];
  events: (typeof SUBSCRIPTION_EVENTS)[number][];
  createdAt: string;
  updatedAt: string;
}

/** One decision a subscription may cover: a product's action in a context. */
export interface DecisionSubject {
  productId: string;
  category?: string;
  contextKey: string;
  action: CommerceAction;
}

/**
 * What each filter asks of a decision, as a table: a filter left out asks nothing. Every
 * filter given must hold (they narrow one another). `subject` filters look at the product and
 * context only, so a projection asks them once per changed product and context, and only the
 * `actions` filter once per changed decision.
 */
const FILTERS = {
  products: { subject: true, valueOf: (d: DecisionSubject) => d.productId },
  categories: { subject: true, valueOf: (d: DecisionSubject) => d.category },
  contexts: { subject: true, valueOf: (d: DecisionSubject) => contextParameterOf(d.contextKey) },
  actions: { subject: false, valueOf: (d: DecisionSubject) => d.action },
} as const satisfies Record<
  'products' | 'categories' | 'contexts' | 'actions',
  { subject: boolean; valueOf(d: DecisionSubject): string | undefined }
>;
type FilterName = keyof typeof FILTERS;
const FILTER_NAMES = Object.keys(FILTERS) as FilterName[];

/** A stored context key (`EU|consumer|agent`) as requests write it (`EU:consumer:agent`). */
export function contextParameterOf(key: string): string {
  return key.replaceAll('|', ':');
}

/** A subscription's filters as sets, for matching many decisions against it. */
export interface SubscriptionMatcher {
  subscription: ProductSubscription;
  /** the product and context filters */
  coversSubject(subject: Omit<DecisionSubject, 'action'>): boolean;
  /** the actions filter */
  coversAction(action: CommerceAction): boolean;
}

export function matcherOf(subscription: ProductSubscription): SubscriptionMatcher {
  const given = FILTER_NAMES.flatMap((name) => {
    const values = subscription[name] as readonly string[] | undefined;
    return values === undefined ? [] : [{ name, values: new Set<string>(values) }];
  });
  const holds = (subject: boolean, d: DecisionSubject) =>
    given.every(({ name, values }) => {
      if (FILTERS[name].subject !== subject) return true;
      const value = FILTERS[name].valueOf(d);
      return value !== undefined && values.has(value);
    });
  return {
    subscription,
    coversSubject: (d) => holds(true, { ...d, action: 'discover' }),
    coversAction: (action) => holds(false, { productId: '', contextKey: '', action }),
  };
}

export function covers(subscription: ProductSubscription, decision: DecisionSubject): boolean {
  const matcher = matcherOf(subscription);
  return matcher.coversSubject(decision) && matcher.coversAction(decision.action);
}

/** The stored form of a validated body: every list de-duplicated, in a stable order. */
export function subscriptionOf(
  id: string,
  body: SubscriptionBody,
  times: { createdAt: string; updatedAt: string },
): ProductSubscription {
  const unique = <T>(values: readonly T[] | undefined) =>
    values === undefined ? undefined : [...new Set(values)].sort();
  const subscription: ProductSubscription = {
    id,
    url: body.url,
    events: unique(body.events) ?? [],
    ...times,
  };
  const products = unique(body.products);
  const categories = unique(body.categories);
  const contexts = unique(body.contexts?.map((c) => contextParameterOf(contextKey(c))));
  const actions = unique(body.actions);
  if (products !== undefined) subscription.products = products;
  if (categories !== undefined) subscription.categories = categories;
  if (contexts !== undefined) subscription.contexts = contexts;
  if (actions !== undefined) subscription.actions = actions;
  return subscription;
}
