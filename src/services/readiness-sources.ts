import type { AppContext } from '../app-context.js';
import { contextKey, readinessEntryOf, toInstant } from '../domain/index.js';
import { type FeedName, FeedNameSchema } from '../queues/catalog-queues.js';
import { deliveryQueues } from '../queues/outbox-queues.js';
import { DecisionChangeStore } from '../store/decision-change-store.js';
import { DriftStore } from '../store/drift-store.js';
import { OutboxStore } from '../store/outbox-store.js';
import { ProductSubscriptionStore } from '../store/product-subscription-store.js';
import { ReadinessIndexStore } from '../store/readiness-index.js';
import type { TenantStores } from './evaluation-service.js';
import { listDeadLetters, replayDeadLetter } from './outbox/dead-letter.js';
import type { ProfileService } from './profile-service.js';
import type {
  FeedSummary,
  OutboxSummary,
  ReadinessListing,
  ReadinessOverview,
  ReadinessSources,
  SubscriptionsSummary,
} from './readiness-data.js';
import { DECISION_EVENT_ID_PREFIX } from './subscriptions/decision-event-projector.js';
import { EXPIRING_EVENT_ID_PREFIX } from './subscriptions/expiring-warner.js';

/**
 * The parts of the catalog wiring the page reads (src/app/catalog-runtime.ts builds them): the
 * tenant's stores, the profile service and the published feeds (declared here by what the page
 * asks of them, so a service never imports the feed publisher above it).
 */
export interface ReadinessCatalog {
  storesOf(tenant: string): TenantStores;
  profiles: ProfileService;
  feeds: {
    readonly feedNames: readonly FeedName[];
    list(tenant: string): Promise<{ feed: string; generatedAt: string; count: number }[]>;
    requestPublish(
      tenant: string,
      feed: FeedName,
      reason: 'request',
      delayMs: number,
    ): Promise<unknown>;
  };
}

/**
 * The readiness page reads exactly what the agents' surfaces read: the counters and the index
 * the evaluation keeps in the MULTI that writes the profiles (never a catalog walk), a page of
 * profiles through the profile service (the stored decision, or the domain's fresh one when it
 * is out of date — the same call the feeds make), the outbox store, the published feed
 * manifests, and the subscriptions with their change stream.
 */
export function readinessSources(ctx: AppContext, runtime: ReadinessCatalog): ReadinessSources {
  const queues = deliveryQueues(ctx.producer, ctx.config);
  const deadLetterDeps = {
    redis: ctx.producer,
    prefix: ctx.config.KEY_PREFIX,
    nowMs: () => ctx.clock.nowMs(),
    queues,
  };

  return {
    async overview(tenant): Promise<ReadinessOverview> {
      const [counts, products] = await Promise.all([
        new ReadinessIndexStore(ctx.producer, ctx.config.KEY_PREFIX, tenant).counts(
          ctx.config.EVALUATION_CONTEXTS.map(contextKey),
        ),
        runtime.storesOf(tenant).catalog.countProducts(),
      ]);
      return {
        products,
        contexts: ctx.config.EVALUATION_CONTEXTS.map((context) => {
          const found = counts.get(contextKey(context));
          return {
            context,
            counts: found?.states ?? { ready: 0, partially_ready: 0, blocked: 0 },
            codes: [...(found?.codes ?? [])]
              .filter(([, count]) => count > 0)
              .map(([code, count]) => ({ code, count }))
              .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
          };
        }),
      };
    },

    async list(tenant, request): Promise<ReadinessListing> {
      const page = await new ReadinessIndexStore(ctx.producer, ctx.config.KEY_PREFIX, tenant).list({
        contextKey: contextKey(request.context),
        ...(request.state ? { state: request.state } : {}),
        ...(request.blocker ? { code: request.blocker } : {}),
        ...(request.q ? { prefix: request.q } : {}),
        ...(request.after !== undefined ? { after: request.after } : {}),
        ...(request.before !== undefined ? { before: request.before } : {}),
        limit: request.limit,
      });
      const nowMs = ctx.clock.nowMs();
      const byContext = await Promise.all(
        ctx.config.EVALUATION_CONTEXTS.map((context) =>
          runtime.profiles.currentPage(tenant, page.ids, context, nowMs),
        ),
      );
      return {
        total: page.total,
        offset: page.offset,
        hasNext: page.hasNext,
        rows: page.ids.map((productId, i) => ({
          productId,
          cells: byContext.map((found) => {
            const lookup = found[i];
            return lookup === undefined ? null : readinessEntryOf(lookup.profile.decisions);
          }),
        })),
      };
    },

    async storedProfile(tenant, productId, context) {
      const found = await runtime.profiles.lookup(tenant, productId, context);
      return found.source === 'unknown' ? undefined : found.profile;
    },

    async outbox(tenant: string): Promise<OutboxSummary> {
      const nowMs = ctx.clock.nowMs();
      const store = new OutboxStore(ctx.producer, ctx.config.KEY_PREFIX, tenant);
      const counts = await store.summary(nowMs);
      const dead = await listDeadLetters(deadLetterDeps, tenant, 20);
      const exhausted = await store.listExhausted(20);
      return {
        due: counts.due,
        inFlight: counts.inFlight,
        deadLettered: counts.dead,
        oldestDueAgeSeconds:
          counts.oldestDueMs === null ? null : (nowMs - counts.oldestDueMs) / 1000,
        deadLetters: dead.items.map((view) => {
          const last = view.history.at(-1);
          return {
            id: view.effect.id,
            effect: `${view.effect.provider} ${view.effect.kind}`,
            lastError: last
              ? `${last.result}${last.status ? ` ${last.status}` : ''}${last.reason ? `: ${last.reason}` : ''}`
              : '',
            failedAt: last?.at ?? '',
          };
        }),
        exhausted: counts.exhausted,
        exhaustedEffects: exhausted.items.map((view) => ({
          id: view.effect.id,
          effect: `${view.effect.provider} ${view.effect.kind}`,
          since: toInstant(view.exhaustedAtMs),
          nextRoundAt: view.nextRoundMs === null ? null : toInstant(view.nextRoundMs),
        })),
      };
    },

    async subscriptions(tenant: string): Promise<SubscriptionsSummary> {
      const nowMs = ctx.clock.nowMs();
      const { producer: redis, config } = ctx;
      const outbox = new OutboxStore(redis, config.KEY_PREFIX, tenant);
      const [subscriptions, backlog, changed, expiring] = await Promise.all([
        new ProductSubscriptionStore(redis, config.KEY_PREFIX, tenant).count(),
        new DecisionChangeStore(redis, config.KEY_PREFIX, tenant).backlog(nowMs),
        outbox.countWithPrefix(DECISION_EVENT_ID_PREFIX, nowMs),
        outbox.countWithPrefix(EXPIRING_EVENT_ID_PREFIX, nowMs),
      ]);
      // decision.changed and profile.expiring events, counted together
      const dues = [changed.oldestDueMs, expiring.oldestDueMs].filter((ms) => ms !== null);
      const events = {
        pending: changed.pending + expiring.pending,
        dead: changed.dead + expiring.dead,
        oldestDueMs: dues.length === 0 ? null : Math.min(...dues),
        complete: changed.complete && expiring.complete,
      };
      const oldestUnprojectedAgeSeconds =
        backlog.oldestAgeMs === null ? null : backlog.oldestAgeMs / 1000;
      const oldestUndeliveredAgeSeconds =
        events.oldestDueMs === null ? null : Math.max(0, nowMs - events.oldestDueMs) / 1000;
      const ages = [oldestUnprojectedAgeSeconds, oldestUndeliveredAgeSeconds].filter(
        (seconds): seconds is number => seconds !== null,
      );
      return {
        subscriptions,
        unprojected: backlog.entries,
        oldestUnprojectedAgeSeconds,
        undelivered: events.pending,
        oldestUndeliveredAgeSeconds,
        deadLettered: events.dead,
        lagSeconds: ages.length === 0 ? null : Math.max(...ages),
        complete: events.complete,
      };
    },

    drift: (tenant) => new DriftStore(ctx.producer, ctx.config.KEY_PREFIX, tenant).last(),

    async feeds(tenant: string): Promise<FeedSummary[]> {
      const nowMs = ctx.clock.nowMs();
      const manifests = await runtime.feeds.list(tenant);
      return runtime.feeds.feedNames.map((name) => {
        const manifest = manifests.find((m) => m.feed === name);
        if (manifest === undefined)
          return { name, lastPublishedAt: null, ageSeconds: null, count: null };
        return {
          name,
          lastPublishedAt: manifest.generatedAt,
          ageSeconds: (nowMs - Date.parse(manifest.generatedAt)) / 1000,
          count: manifest.count,
        };
      });
    },

    async replayDeadLetter(tenant, id) {
      return (await replayDeadLetter(deadLetterDeps, tenant, id)) === 'replayed';
    },

    async close() {
      await Promise.allSettled(Object.values(queues).map((queue) => queue.close()));
    },

    async publishFeed(tenant, feed) {
      const name = FeedNameSchema.safeParse(feed);
      if (!name.success) return false;
      await runtime.feeds.requestPublish(tenant, name.data, 'request', 0);
      return true;
    },
  };
}
