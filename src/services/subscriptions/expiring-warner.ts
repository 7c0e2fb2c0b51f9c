import { createHash } from 'node:crypto';
import { contextKey, type EvaluationContext, toInstant } from '../../domain/index.js';
import { CatalogStore } from '../../store/catalog-store.js';
import { EvaluationWorkStore } from '../../store/evaluation-work-store.js';
import { ExpiringWarningStore } from '../../store/expiring-warning-store.js';
import { type DueEffect, OutboxStore } from '../../store/outbox-store.js';
import { decodeProfile } from '../../store/profile-codec.js';
import { ProfileStore } from '../../store/profile-store.js';
import type { RedisClient } from '../../store/redis.js';
import {
  type ExpiringDecision,
  type ProfileExpiringEvent,
  subscriberWebhook,
} from './decision-event.js';
import { contextParameterOf, SubscriptionIndex } from './product-subscription.js';
import type { SubscriptionService } from './subscription-service.js';

export interface ExpiringWarnerDeps {
  redis: RedisClient;
  prefix: string;
  subscriptions: SubscriptionService;
  /** the contexts profiles are kept for */
  contexts: readonly EvaluationContext[];
  /** PROFILE_EXPIRING_LEAD_MS: how long ahead of a validUntil the warning is sent */
  leadMs: number;
}

/** Products one sweep looks at, soonest validUntil first; the rest wait for the next sweep. */
const PRODUCTS_PER_SWEEP = 1_000;

/** How a warning's outbox id begins: `pe.` and a hash of what it warns of. */
export const EXPIRING_EVENT_ID_PREFIX = 'pe.';

/**
 * The profile.expiring warnings, found by the staleness sweep: the products whose earliest
 * validUntil (the evaluation's due set) falls within the lead are read once per validUntil (a
 * mark remembers which), and each subscription asking for profile.expiring that covers one of
 * their profiles gets a warning through the outbox, signed and retried like every event. The
 * profiles are read as stored: the warning reports the domain's decisions, it decides nothing.
 */
export class ExpiringWarner {
  private readonly contextKeys: string[];

  constructor(private readonly deps: ExpiringWarnerDeps) {
    this.contextKeys = deps.contexts.map(contextKey);
  }

  /** One sweep of the tenant at `nowMs`; resolves how many warnings it wrote. */
  async sweep(tenant: string, nowMs: number): Promise<number> {
    const { redis, prefix, leadMs } = this.deps;
    const subscriptions = (await this.deps.subscriptions.list(tenant)).filter((s) =>
      s.events.includes('profile.expiring'),
    );
    if (subscriptions.length === 0) return 0;
    const warnings = new ExpiringWarningStore(redis, prefix, tenant);
    const window = await new EvaluationWorkStore(redis, prefix, tenant).dueWithin(
      nowMs,
      nowMs + leadMs,
      PRODUCTS_PER_SWEEP,
    );
    const warned = await warnings.warnedOf(window.map((due) => due.productId));
    const fresh = window.filter((due, i) => warned[i] !== due.validUntilMs);
    if (fresh.length === 0) return 0;

    const ids = fresh.map((due) => due.productId);
    const profiles = new ProfileStore(redis, prefix, tenant);
    const [products, ...byContext] = await Promise.all([
      new CatalogStore(redis, prefix, tenant).getProducts(ids),
      ...this.contextKeys.map((key) => profiles.readRaw(key, ids)),
    ]);
    const index = new SubscriptionIndex(subscriptions);
    const effects: DueEffect[] = [];
    fresh.forEach(({ productId }, p) => {
      const category = products[p]?.category;
      this.deps.contexts.forEach((context, c) => {
        const raw = byContext[c]?.[p];
        const key = this.contextKeys[c] as string;
        const covering = index.covering(productId, category, key);
        if (raw === null || raw === undefined || covering.length === 0) return;
        const profile = decodeProfile(productId, context, JSON.parse(raw));
        if (profile.validUntil === null) return;
        const validUntilMs = Date.parse(profile.validUntil);
        // This context's profile holds longer: a later sweep warns of it, when it is due.
        if (validUntilMs <= nowMs || validUntilMs > nowMs + leadMs) return;
        for (const { subscription, actions } of covering) {
          const expiring: ExpiringDecision[] = profile.decisions
            .filter(
              (d) =>
                (actions === undefined || actions.has(d.action)) &&
                d.validUntil !== null &&
                Date.parse(d.validUntil) <= nowMs + leadMs,
            )
            .map((d) => ({
              action: d.action,
              ...(d.policyDomain === undefined ? {} : { policyDomain: d.policyDomain }),
              result: d.result,
              validUntil: d.validUntil as string,
            }))
            .sort((a, b) => Date.parse(a.validUntil) - Date.parse(b.validUntil));
          if (expiring.length === 0) continue;
          const id = warningId(subscription.id, key, productId, validUntilMs);
          const event: ProfileExpiringEvent = {
            id,
            type: 'profile.expiring',
            createdAt: toInstant(nowMs),
            subscriptionId: subscription.id,
            data: {
              productId,
              context: contextParameterOf(key),
              validUntil: profile.validUntil,
              evaluatedAt: profile.evaluatedAt,
              rulesetVersion: profile.rulesetVersion,
              expiring,
            },
          };
          effects.push({
            effect: subscriberWebhook(tenant, subscription, event, {
              correlationId: `profile-expiring.${productId}`,
              createdAtMs: nowMs,
            }),
            dueMs: nowMs,
          });
        }
      });
    });
    if (effects.length > 0) await new OutboxStore(redis, prefix, tenant).registerTenant();
    return warnings.write(fresh, effects);
  }
}

/** The same warning always has the same id, so writing it again never sends it twice. */
function warningId(subscriptionId: string, key: string, productId: string, validUntilMs: number) {
  const digest = createHash('sha256')
    .update(`${subscriptionId}\n${key}\n${productId}\n${validUntilMs}`)
    .digest('base64url')
    .slice(0, 32);
  return `${EXPIRING_EVENT_ID_PREFIX}${digest}`;
}
