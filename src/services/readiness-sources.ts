import type { FeedSummary, OutboxSummary } from '../adapters/admin/readiness-page.js';
import type { ReadinessSources } from '../adapters/admin/readiness-sources.js';
import type { AppContext } from '../app-context.js';
import { type ProductActionProfile, toInstant } from '../domain/index.js';
import { catalogRuntime } from '../features/catalog-runtime.js';
import { deliveryQueues } from '../features/checkout-runtime.js';
import { FeedNameSchema } from '../queues/catalog-queues.js';
import { OutboxStore } from '../store/outbox-store.js';
import { listDeadLetters, replayDeadLetter } from './outbox/dead-letter.js';

const PAGE = 500;

/**
 * The readiness page reads exactly what the agents' surfaces read: profiles through the profile
 * service (the stored decision, or the domain's fresh one when it is out of date — the same
 * call the feeds make), the outbox store, and the published feed manifests.
 */
export function readinessSources(ctx: AppContext): ReadinessSources {
  const runtime = catalogRuntime(ctx);
  const queues = deliveryQueues(ctx.producer, ctx.config.QUEUE_PREFIX);
  const deadLetterDeps = {
    redis: ctx.producer,
    prefix: ctx.config.KEY_PREFIX,
    nowMs: () => ctx.clock.nowMs(),
    queues,
  };

  return {
    async *storedProfiles(tenant: string): AsyncIterable<ProductActionProfile> {
      const catalog = runtime.storesOf(tenant).catalog;
      let after = '';
      for (;;) {
        const ids = await catalog.productIdsAfter(after, PAGE);
        if (ids.length === 0) return;
        const nowMs = ctx.clock.nowMs();
        for (const context of ctx.config.EVALUATION_CONTEXTS) {
          const page = await runtime.profiles.currentPage(tenant, ids, context, nowMs);
          for (const found of page) if (found !== undefined) yield found.profile;
        }
        after = ids[ids.length - 1] as string;
        if (ids.length < PAGE) return;
      }
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
