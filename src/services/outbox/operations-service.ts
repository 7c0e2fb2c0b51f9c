import { CheckoutStore } from '../../store/checkout-store.js';
import { type EffectView, OutboxStore } from '../../store/outbox-store.js';
import {
  type WebhookSubscriber,
  WebhookSubscriberSchema,
  WebhookSubscriberStore,
} from '../../store/webhook-subscriber-store.js';
import type { ReconciliationReport } from '../checkout/payment-reconciliation.js';
import {
  type DeadLetterDeps,
  listDeadLetters,
  type ReplayOutcome,
  replayDeadLetter,
} from './dead-letter.js';

/** What an operator may write about a webhook subscriber: everything but the id of the path. */
export const SubscriberBodySchema = WebhookSubscriberSchema.omit({ id: true });
export const SubscriberIdSchema = WebhookSubscriberSchema.shape.id;

export interface OutboxOperationsDeps extends DeadLetterDeps {
  /** Queues one reconciliation run for the tenant (the route answers 202 before it runs). */
  enqueueReconciliation(tenant: string): Promise<void>;
}

/**
 * What the outbox's operator routes may do, per tenant: the dead letter and its replay, one
 * effect's history, webhook subscribers, and payment reconciliation. The routes reach the
 * stores only through here.
 */
export class OutboxOperations {
  constructor(private readonly deps: OutboxOperationsDeps) {}

  listDeadLetters(
    tenant: string,
    limit: number,
    offset: number,
  ): Promise<{ total: number; items: EffectView[] }> {
    return listDeadLetters(this.deps, tenant, limit, offset);
  }

  replayDeadLetter(tenant: string, effectId: string): Promise<ReplayOutcome> {
    return replayDeadLetter(this.deps, tenant, effectId);
  }

  effect(tenant: string, effectId: string): Promise<EffectView | undefined> {
    return this.outbox(tenant).view(effectId);
  }

  countByStatus(tenant: string) {
    return this.outbox(tenant).countByStatus();
  }

  async putSubscriber(tenant: string, subscriber: WebhookSubscriber): Promise<WebhookSubscriber> {
    await this.subscribers(tenant).put(subscriber);
    return subscriber;
  }

  listSubscribers(tenant: string): Promise<WebhookSubscriber[]> {
    return this.subscribers(tenant).list();
  }

  /** Resolves false when there is no such subscriber. */
  removeSubscriber(tenant: string, id: string): Promise<boolean> {
    return this.subscribers(tenant).remove(id);
  }

  /** The last stored run's report, or undefined before the first run. */
  async reconciliationReport(tenant: string): Promise<ReconciliationReport | undefined> {
    const stored = await new CheckoutStore(
      this.deps.redis,
      this.deps.prefix,
      tenant,
    ).getReconciliationReport();
    return stored === undefined ? undefined : (JSON.parse(stored) as ReconciliationReport);
  }

  requestReconciliation(tenant: string): Promise<void> {
    return this.deps.enqueueReconciliation(tenant);
  }

  private outbox(tenant: string): OutboxStore {
    return new OutboxStore(this.deps.redis, this.deps.prefix, tenant);
  }

  private subscribers(tenant: string): WebhookSubscriberStore {
    return new WebhookSubscriberStore(this.deps.redis, this.deps.prefix, tenant);
  }
}
