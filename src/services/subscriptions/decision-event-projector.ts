import { resultFlipped, toInstant } from '../../domain/index.js';
import { detailedChangesOf } from '../../store/audit-store.js';
import { CatalogStore } from '../../store/catalog-store.js';
import {
  type ChangeEntry,
  DecisionChangeStore,
  type ProjectedEvent,
} from '../../store/decision-change-store.js';
import { type OutboxEffect, OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import { WatchSessionStore, watchKeyOf } from '../../store/watch-session-store.js';
import {
  type DecisionChangedData,
  type DecisionChangedEvent,
  decisionChangeOf,
  mergeChanges,
  subscriberWebhook,
} from './decision-event.js';
import {
  contextParameterOf,
  type ProductSubscription,
  SubscriptionIndex,
} from './product-subscription.js';
import type { SubscriptionService } from './subscription-service.js';

/**
 * Turns the tenant's change stream into decision events in its outbox, one step at a time: read
 * the entries after the cursor, match them against the subscriptions, merge each ordering key's
 * events with the one still waiting unsent in its coalescing window, and write it all with the
 * cursor in one atomic step (decision-events-project-7.lua). A step that loses a race (another
 * projector, or a delivery that began meanwhile) is read and built again.
 */
export interface ProjectorDeps {
  redis: RedisClient;
  prefix: string;
  subscriptions: SubscriptionService;
  /** DECISION_EVENT_COALESCE_MS: how long an event waits for later changes of its key */
  coalesceMs: number;
  /** change-stream entries per step (each is one evaluation slice) */
  entriesPerStep: number;
  /**
   * Told when entries after `cursor` and before `next` were trimmed from the stream before they
   * were projected (the projector was down while STREAM_MAXLEN entries piled up): their events
   * are lost, and the audit still holds every change.
   */
  onGap?(tenant: string, cursor: string, next: string): void;
}

export interface ProjectionStep {
  /** stream entries projected */
  entries: number;
  /** events written (merged ones included) */
  events: number;
  /** unsent events a later one merged into */
  coalesced: number;
  /** more entries may be waiting */
  more: boolean;
}

/** Lost races before the step gives up (the job retries). */
const MAX_RACES = 8;

interface Pending {
  subscription: ProductSubscription;
  data: DecisionChangedData;
}

type DecisionEffect = OutboxEffect & { body: DecisionChangedEvent };

/** How a decision event's outbox id begins: `dc.<change-stream entry id>.<n>`. */
export const DECISION_EVENT_ID_PREFIX = 'dc.';

/** `subscription context product`: neither a subscription id nor a context key holds a space. */
export function orderingKeyOf(subscriptionId: string, contextKey: string, productId: string) {
  return `${subscriptionId} ${contextParameterOf(contextKey)} ${productId}`;
}

export class DecisionEventProjector {
  constructor(private readonly deps: ProjectorDeps) {}

  async step(tenant: string, nowMs: number): Promise<ProjectionStep> {
    const { redis, prefix } = this.deps;
    const changes = new DecisionChangeStore(redis, prefix, tenant);
    const outbox = new OutboxStore(redis, prefix, tenant);
    for (let race = 0; race < MAX_RACES; race++) {
      const { cursor, entries, trimmed } = await changes.readAfterCursor(this.deps.entriesPerStep);
      // Said once per gap, before the cursor moves past it: changes were lost to subscribers.
      if (trimmed) this.deps.onGap?.(tenant, cursor, entries[0]?.id ?? '');
      const last = entries.at(-1);
      if (last === undefined) return { entries: 0, events: 0, coalesced: 0, more: false };
      const subscriptions = (await this.deps.subscriptions.list(tenant)).filter((s) =>
        s.events.includes('decision.changed'),
      );
      const pending = await this.match(tenant, subscriptions, entries);
      const keys = [...pending.keys()];
      const states = await changes.keyStates(keys);
      const waiting = await this.unsentEvents(outbox, states);
      const events: ProjectedEvent[] = [];
      let coalesced = 0;
      keys.forEach((orderingKey, i) => {
        const { subscription, data } = pending.get(orderingKey) as Pending;
        const state = states[i] as (typeof states)[number];
        const older = waiting[i];
        const event: DecisionChangedEvent = {
          id: `${DECISION_EVENT_ID_PREFIX}${last.id}.${i}`,
          type: 'decision.changed',
          createdAt: toInstant(nowMs),
          subscriptionId: subscription.id,
          sequence: state.sequence + 1,
          data: older === undefined ? data : mergeChanges(older.effect.body.data, data),
        };
        if (older !== undefined) coalesced += 1;
        // Merged into a waiting event, it keeps the window that one opened; an event whose send
        // began had its window: what follows it opens a new one.
        const openedMs = older?.waiting === true ? older.effect.createdAtMs : nowMs;
        const effect = subscriberWebhook(tenant, subscription, event, {
          orderingKey,
          correlationId: `decision-changes.${last.id}`,
          createdAtMs: openedMs,
        });
        events.push({
          orderingKey,
          previousNextId: state.nextId,
          id: event.id,
          definition: JSON.stringify(effect),
          dueMs: openedMs + this.deps.coalesceMs,
          sequence: event.sequence,
        });
      });
      if (events.length > 0) await outbox.registerTenant();
      const written = await changes.project(cursor, last.id, events, {
        def: outbox.key('outbox', 'def'),
        status: outbox.key('outbox', 'status'),
        due: outbox.key('outbox', 'due'),
      });
      if (written) {
        await this.tellLiveWatchers(tenant, entries, nowMs);
        return {
          entries: entries.length,
          events: events.length,
          coalesced,
          more: entries.length === this.deps.entriesPerStep,
        };
      }
    }
    throw new Error(`decision events of ${tenant}: the projection kept losing races`);
  }

  /**
   * Live watch sessions (MCP resource subscriptions) hear which product profiles changed, once
   * the step is written: told at most once, and nothing is kept for a session not listening now
   * (it reads the resource again when it comes back).
   */
  private async tellLiveWatchers(tenant: string, entries: readonly ChangeEntry[], nowMs: number) {
    const sessions = new WatchSessionStore(this.deps.redis, this.deps.prefix, tenant);
    if (!(await sessions.anyLive(nowMs))) return;
    const keys = new Set<string>();
    for (const entry of entries)
      for (const { productId, contexts } of entry.products)
        for (const [contextKey] of contexts) keys.add(watchKeyOf(productId, contextKey));
    await sessions.publishChanged([...keys]);
  }

  /** Each entry's changes per ordering key, merged in stream order. */
  private async match(
    tenant: string,
    subscriptions: readonly ProductSubscription[],
    entries: readonly ChangeEntry[],
  ): Promise<Map<string, Pending>> {
    const pending = new Map<string, Pending>();
    if (subscriptions.length === 0) return pending;
    const categories = subscriptions.some((s) => s.categories !== undefined)
      ? await this.categoriesOf(tenant, entries)
      : new Map<string, string>();
    const index = new SubscriptionIndex(subscriptions);
    for (const entry of entries) {
      for (const { productId, contexts } of entry.products) {
        const category = categories.get(productId);
        for (const [contextKey, json] of contexts) {
          const covering = index.covering(productId, category, contextKey);
          if (covering.length === 0) continue;
          // Decoded once per product and context, whatever the number of subscriptions.
          const changes = detailedChangesOf(contextKey, json).map(decisionChangeOf);
          for (const { subscription, actions } of covering) {
            const covered = changes.filter(
              (c) =>
                (actions === undefined || actions.has(c.action)) &&
                (subscription.changes !== 'results' || resultFlipped(c)),
            );
            if (covered.length === 0) continue;
            const data: DecisionChangedData = {
              productId,
              context: contextParameterOf(contextKey),
              evaluatedFrom: entry.evaluatedAt,
              evaluatedAt: entry.evaluatedAt,
              rulesetVersion: entry.rulesetVersion,
              changes: covered,
              coalesced: 1,
            };
            const key = orderingKeyOf(subscription.id, contextKey, productId);
            const before = pending.get(key);
            pending.set(key, {
              subscription,
              data: before === undefined ? data : mergeChanges(before.data, data),
            });
          }
        }
      }
    }
    return pending;
  }

  /**
   * The event each key's new changes merge into, if any: its next event (waiting in its
   * window, superseded by the merge), else its begun event while that is still pending (its
   * send failed, or is in flight: the merge carries its changes on, and the gate drops it on
   * its next attempt since a newer event waits). An agent thus never misses a change because
   * the event that carried it was replaced; at worst it hears one twice, the second time with
   * a higher sequence number.
   */
  private async unsentEvents(
    outbox: OutboxStore,
    states: readonly { nextId: string; begunId: string }[],
  ): Promise<({ effect: DecisionEffect; waiting: boolean } | undefined)[]> {
    const candidates = states.map((state) => state.nextId || state.begunId);
    const ids = [...new Set(candidates.filter((id) => id !== ''))];
    if (ids.length === 0) return states.map(() => undefined);
    const [loaded, statuses] = await Promise.all([outbox.definitions(ids), outbox.statuses(ids)]);
    const pending = new Set(ids.filter((_, i) => statuses[i] === 'pending'));
    return states.map((state, i) => {
      const id = candidates[i] as string;
      const effect = loaded.get(id) as DecisionEffect | undefined;
      if (effect === undefined) return undefined;
      if (state.nextId !== '') return { effect, waiting: true };
      return pending.has(id) ? { effect, waiting: false } : undefined;
    });
  }

  private async categoriesOf(tenant: string, entries: readonly ChangeEntry[]) {
    const ids = [...new Set(entries.flatMap((e) => e.products.map((p) => p.productId)))];
    const raws = await new CatalogStore(this.deps.redis, this.deps.prefix, tenant).getProductsRaw(
      ids,
    );
    const categories = new Map<string, string>();
    raws.forEach((raw, i) => {
      if (raw === null) return;
      const category = (JSON.parse(raw) as { category?: unknown }).category;
      if (typeof category === 'string') categories.set(ids[i] as string, category);
    });
    return categories;
  }
}
