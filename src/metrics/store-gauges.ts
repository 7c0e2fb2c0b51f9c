import type { AppContext } from '../app-context.js';
import type { ReadinessSources } from '../services/readiness-data.js';

/**
 * Outbox, subscription and feed gauges are read from the stores at scrape time (a few small
 * MULTIs per tenant and the feed manifests), so every process reports the same numbers whichever
 * role it runs.
 */
export async function refreshStoreGauges(
  ctx: AppContext,
  sources: ReadinessSources,
): Promise<void> {
  const tenants = [...new Set(ctx.config.AUTH_TOKENS.map((entry) => entry.tenant))];
  const { metrics } = ctx;
  await Promise.all(
    tenants.map(async (tenant) => {
      const [outbox, feeds, subscriptions] = await Promise.all([
        sources.outbox?.(tenant),
        sources.feeds?.(tenant),
        sources.subscriptions?.(tenant),
      ]);
      if (outbox !== undefined) {
        metrics.outboxEntries.set({ tenant, state: 'due' }, outbox.due);
        metrics.outboxEntries.set({ tenant, state: 'in_flight' }, outbox.inFlight);
        metrics.outboxEntries.set({ tenant, state: 'dead_letter' }, outbox.deadLettered);
        metrics.outboxOldestAgeSeconds.set({ tenant }, outbox.oldestDueAgeSeconds ?? 0);
      }
      if (subscriptions !== undefined) {
        metrics.subscriptions.set({ tenant }, subscriptions.subscriptions);
        const backlog = metrics.decisionEventsBacklog;
        backlog.set({ tenant, stage: 'unprojected' }, subscriptions.unprojected);
        backlog.set({ tenant, stage: 'undelivered' }, subscriptions.undelivered);
        backlog.set({ tenant, stage: 'dead_letter' }, subscriptions.deadLettered);
        metrics.decisionEventsLagSeconds.set({ tenant }, subscriptions.lagSeconds ?? 0);
      }
      for (const feed of feeds ?? []) {
        if (feed.ageSeconds === null || feed.count === null) continue;
        metrics.feedAgeSeconds.set({ tenant, feed: feed.name }, feed.ageSeconds);
        metrics.feedItems.set({ tenant, feed: feed.name }, feed.count);
      }
    }),
  );
}
