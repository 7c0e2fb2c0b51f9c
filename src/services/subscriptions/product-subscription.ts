import { z } from 'zod';
import {
  type CommerceAction,
  CommerceActionSchema,
  ContextParameterSchema,
  contextKey,
} from '../../domain/index.js';

/**
 * What a subscriber can ask to hear of (issue 18): `decision.changed` (the default) when an
 * evaluation changes a covered decision, `profile.expiring` ahead of a covered profile's
 * validUntil (PROFILE_EXPIRING_LEAD_MS).
 */
export const SUBSCRIPTION_EVENTS = ['decision.changed', 'profile.expiring'] as const;

/** Which changed decisions a subscription hears of (SubscriptionBodySchema's `changes`). */
export const SUBSCRIPTION_CHANGES = ['all', 'results'] as const;

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
  events: ListOf(z.enum(SUBSCRIPTION_EVENTS), 2).default(['decision.changed']),
  /**
   * `all` (the default): every change the audit records, a refreshed validUntil or evidence
   * too, so an agent knows how long a decision holds; `results`: only decisions whose result
   * changed (and a product's first evaluation).
   */
  changes: z.enum(SUBSCRIPTION_CHANGES).default('all'),
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
  /** absent in subscriptions stored before it existed: `all` */
  changes?: (typeof SUBSCRIPTION_CHANGES)[number];
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
 * filter given must hold (they narrow one another).
 */
const FILTERS: Record<
  'products' | 'categories' | 'contexts' | 'actions',
  (d: DecisionSubject) => string | undefined
> = {
  products: (d) => d.productId,
  categories: (d) => d.category,
  contexts: (d) => contextParameterOf(d.contextKey),
  actions: (d) => d.action,
};
const FILTER_NAMES = Object.keys(FILTERS) as (keyof typeof FILTERS)[];

/** A stored context key (`EU|consumer|agent`) as requests write it (`EU:consumer:agent`). */
export function contextParameterOf(key: string): string {
  return key.replaceAll('|', ':');
}

export function covers(subscription: ProductSubscription, decision: DecisionSubject): boolean {
  return FILTER_NAMES.every((name) => {
    const values = subscription[name] as readonly string[] | undefined;
    const value = FILTERS[name](decision);
    return values === undefined || (value !== undefined && values.includes(value));
  });
}

/**
 * The tenant's subscriptions indexed for matching many changed products at once: each
 * subscription sits in one bucket, by its products filter, else its categories filter, else
 * among those that name neither, so a product is checked against the subscriptions that can
 * cover it only; their context and action filters are sets. Matches exactly what `covers` says
 * (test/subscriptions/subscription-routes.test.ts compares the two).
 */
export class SubscriptionIndex {
  private readonly byProduct = new Map<string, IndexedSubscription[]>();
  private readonly byCategory = new Map<string, IndexedSubscription[]>();
  private readonly open: IndexedSubscription[] = [];

  constructor(subscriptions: readonly ProductSubscription[]) {
    for (const subscription of subscriptions) {
      const indexed: IndexedSubscription = {
        subscription,
        categories: setOf(subscription.categories),
        contexts: setOf(subscription.contexts),
        actions: setOf(subscription.actions),
      };
      if (subscription.products !== undefined) {
        for (const id of new Set(subscription.products)) push(this.byProduct, id, indexed);
      } else if (subscription.categories !== undefined) {
        for (const category of new Set(subscription.categories))
          push(this.byCategory, category, indexed);
      } else this.open.push(indexed);
    }
  }

  /** The subscriptions whose product, category and context filters cover the product there. */
  covering(productId: string, category: string | undefined, contextKey: string) {
    const context = contextParameterOf(contextKey);
    const found: IndexedSubscription[] = [];
    const take = (list: readonly IndexedSubscription[] | undefined, checkCategory: boolean) => {
      for (const s of list ?? []) {
        if (checkCategory && s.categories !== undefined) {
          if (category === undefined || !s.categories.has(category)) continue;
        }
        if (s.contexts !== undefined && !s.contexts.has(context)) continue;
        found.push(s);
      }
    };
    take(this.byProduct.get(productId), true);
    if (category !== undefined) take(this.byCategory.get(category), false);
    take(this.open, false);
    return found;
  }
}

export interface IndexedSubscription {
  subscription: ProductSubscription;
  categories: ReadonlySet<string> | undefined;
  contexts: ReadonlySet<string> | undefined;
  /** undefined: every action */
  actions: ReadonlySet<string> | undefined;
}

function setOf(values: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return values === undefined ? undefined : new Set(values);
}

function push<T>(map: Map<string, T[]>, key: string, value: T) {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
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
    changes: body.changes,
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
