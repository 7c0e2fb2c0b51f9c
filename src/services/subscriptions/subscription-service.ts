import type { Clock } from '../../clock.js';
import { contextKey, type EvaluationContext, toInstant } from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import { DecisionChangeStore } from '../../store/decision-change-store.js';
import { ProductSubscriptionStore } from '../../store/product-subscription-store.js';
import type { RedisClient } from '../../store/redis.js';
import {
  contextParameterOf,
  type ProductSubscription,
  type SubscriptionBody,
  subscriptionOf,
} from './product-subscription.js';

export interface SubscriptionServiceDeps {
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  /** The contexts profiles are kept for: a subscription to another would never hear a thing. */
  contexts: readonly EvaluationContext[];
}

/** A tenant's product subscriptions: put (create or replace), get, list, remove. */
export class SubscriptionService {
  private readonly known: Set<string>;

  constructor(private readonly deps: SubscriptionServiceDeps) {
    this.known = new Set(deps.contexts.map(contextKey));
  }

  private store(tenant: string): ProductSubscriptionStore {
    return new ProductSubscriptionStore(this.deps.redis, this.deps.prefix, tenant);
  }

  /** The contexts profiles are kept for, as requests write them (`EU:consumer:agent`). */
  evaluatedContexts(): string[] {
    return [...this.known].map(contextParameterOf);
  }

  /**
   * Those of `contexts` no profile is kept for, as requests write them: a subscription to one
   * would never hear a thing, so `put` refuses it. An ingress that names fields its own way (the
   * A2A product watch) asks first.
   */
  unevaluatedContexts(contexts: readonly EvaluationContext[] | undefined): string[] {
    return (contexts ?? [])
      .map((context) => contextKey(context))
      .filter((key) => !this.known.has(key))
      .map(contextParameterOf);
  }

  /** Creates or replaces `id`; `created` says which (the route answers 201 or 200). */
  async put(
    tenant: string,
    id: string,
    body: SubscriptionBody,
  ): Promise<{ subscription: ProductSubscription; created: boolean }> {
    const unknown = this.unevaluatedContexts(body.contexts);
    if (unknown.length > 0)
      throw new AppError(
        'VALIDATION_FAILED',
        [`contexts: ${unknown.join(', ')} not evaluated here`],
        { contexts: this.evaluatedContexts() },
      );
    const store = this.store(tenant);
    const now = toInstant(this.deps.clock.nowMs());
    const before = await this.get(tenant, id);
    const subscription = subscriptionOf(id, body, {
      createdAt: before?.createdAt ?? now,
      updatedAt: now,
    });
    const created = await store.put(id, JSON.stringify(subscription));
    return { subscription, created };
  }

  async get(tenant: string, id: string): Promise<ProductSubscription | undefined> {
    const json = await this.store(tenant).get(id);
    return json === undefined ? undefined : (JSON.parse(json) as ProductSubscription);
  }

  /** Every subscription of the tenant, by id. */
  async list(tenant: string): Promise<ProductSubscription[]> {
    const all = (await this.store(tenant).all()).map(
      (json) => JSON.parse(json) as ProductSubscription,
    );
    return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Resolves false when there is no such subscription. Its events not yet sent are dropped (the
   * delivery's gate finds it gone), and its per-key state is forgotten.
   */
  async remove(tenant: string, id: string): Promise<boolean> {
    const removed = await this.store(tenant).remove(id);
    if (removed)
      await new DecisionChangeStore(this.deps.redis, this.deps.prefix, tenant).forgetSubscription(
        id,
      );
    return removed;
  }
}
