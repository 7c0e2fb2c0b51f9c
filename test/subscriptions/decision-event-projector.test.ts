import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptionServiceOf } from '../../src/app/subscriptions.js';
import type { AppContext } from '../../src/app-context.js';
import {
  blocker,
  type CommerceAction,
  type DecisionResult,
  type PolicyDomain,
  toInstant,
} from '../../src/domain/index.js';
import type { DecisionChangedEvent } from '../../src/services/subscriptions/decision-event.js';
import {
  DecisionEventProjector,
  orderingKeyOf,
} from '../../src/services/subscriptions/decision-event-projector.js';
import { SubscriptionBodySchema } from '../../src/services/subscriptions/product-subscription.js';
import type { AuditAppend } from '../../src/store/audit-store.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { DecisionChangeStore } from '../../src/store/decision-change-store.js';
import { tenantKeys } from '../../src/store/keys.js';
import { type OutboxEffect, OutboxStore } from '../../src/store/outbox-store.js';
import type { StoredBlocker, StoredDecision } from '../../src/store/profile-codec.js';
import type { RedisClient } from '../../src/store/redis.js';
import { readyProduct } from '../helpers/catalog-facts.js';
import { keysMatching } from '../helpers/redis.js';
import { createTestContext } from '../helpers/test-context.js';

const NOW = Date.parse('2026-06-01T10:00:00Z');
const RULESET = 'rs-test-1';
const EU = 'EU|consumer|agent';
const US = 'US|consumer|agent';
const HOOK = 'http://127.0.0.1:9/hooks';
const LEASE = 30_000;

/** One changed decision as an evaluation writes it into the audit (and the change stream). */
interface Written {
  action: CommerceAction;
  domain?: PolicyDomain;
  result: DecisionResult;
  /** the result it replaces; absent on the product's first evaluation in the context */
  previous?: DecisionResult;
  blockers?: StoredBlocker[];
  validUntilMs?: number;
}

/**
 * A context's audit JSON as evaluate-slice.ts auditOf writes it: `{r, x, k, d, b}` with the
 * changed decisions only, or, on a product's first evaluation (`first`), the stored profile
 * itself (no `b`).
 */
function auditContext(decisions: readonly Written[], first = false): string {
  const k: StoredBlocker[] = [];
  const x = ['r~discover', 'tprice:P'];
  const d = decisions.map((w): StoredDecision => {
    const at = (w.blockers ?? []).map((b) => k.push(b) - 1);
    return [w.action, w.domain ?? 0, w.result, at, [], [0], w.validUntilMs ?? 0];
  });
  if (first) {
    return JSON.stringify({ v: 2, e: NOW, u: null, r: RULESET, f: 'f', p: 'p', x, k, d });
  }
  const b: Record<string, DecisionResult> = {};
  for (const w of decisions)
    if (w.previous !== undefined) b[`${w.action}/${w.domain ?? ''}`] = w.previous;
  return JSON.stringify({ r: RULESET, x, k, d, b });
}

/** The evidence every decision of auditContext points at, as a subscriber reads it. */
const EVIDENCE = [{ type: 'eligibility_rule', id: `${RULESET}/discover` }];

type DecisionEffect = OutboxEffect & { body: DecisionChangedEvent };

describe('DecisionEventProjector.step', () => {
  let ctx: AppContext;
  let prefix: string;
  beforeAll(() => {
    ctx = createTestContext();
    prefix = ctx.config.KEY_PREFIX;
  });
  afterAll(async () => {
    await ctx?.close();
  });

  /** A fresh tenant, and a projector over `redis` (the context's unless a test wraps it). */
  function tenantWith(coalesceMs: number, entriesPerStep = 50, redis: RedisClient = ctx.redis) {
    const tenant = `proj-${randomUUID().slice(0, 8)}`;
    const key = tenantKeys(prefix, tenant);
    const subscriptions = subscriptionServiceOf(ctx);
    const changes = new DecisionChangeStore(ctx.redis, prefix, tenant);
    const outbox = new OutboxStore(ctx.redis, prefix, tenant);
    const projector = (client = redis) =>
      new DecisionEventProjector({
        redis: client,
        prefix,
        subscriptions,
        coalesceMs,
        entriesPerStep,
      });
    const statusKey = outbox.key('outbox', 'status');
    return {
      tenant,
      changes,
      projector,
      step: (nowMs: number) => projector().step(tenant, nowMs),
      subscribe: (id: string, body: Record<string, unknown> = {}) =>
        subscriptions.put(tenant, id, SubscriptionBodySchema.parse({ url: HOOK, ...body })),
      /** Appends one change-stream entry the way an evaluation's MULTI does; its stream id. */
      async append(
        evaluatedAtMs: number,
        products: Record<string, Record<string, string>>,
      ): Promise<string> {
        const multi = ctx.redis.multi();
        changes.append(
          multi,
          Object.entries(products).map(([productId, contexts]) => {
            const entry: AuditAppend = {
              evaluatedAt: toInstant(evaluatedAtMs),
              rulesetVersion: RULESET,
              contexts: new Map(Object.entries(contexts)),
            };
            return { productId, entry };
          }),
        );
        const reply = await multi.exec();
        const [error, id] = reply?.[0] ?? [new Error('no reply'), null];
        if (error) throw error;
        return id as string;
      },
      /** Every effect in the tenant's outbox, with its status and due time (null: not due). */
      async effects() {
        const [defs, statuses, due] = await Promise.all([
          ctx.redis.hgetall(outbox.key('outbox', 'def')),
          ctx.redis.hgetall(statusKey),
          ctx.redis.zrange(outbox.key('outbox', 'due'), 0, -1, 'WITHSCORES'),
        ]);
        const dueAt = new Map<string, number>();
        for (let i = 0; i < due.length; i += 2) dueAt.set(due[i] as string, Number(due[i + 1]));
        return Object.values(defs)
          .map((json) => JSON.parse(json) as DecisionEffect)
          .map((effect) => ({
            effect,
            event: effect.body,
            status: statuses[effect.id],
            dueMs: dueAt.get(effect.id) ?? null,
          }))
          .sort(
            (a, b) => a.event.sequence - b.event.sequence || (a.effect.id < b.effect.id ? -1 : 1),
          );
      },
      async keyState(orderingKey: string) {
        const [next, seq, begun] = await Promise.all(
          (['next', 'seq', 'begun'] as const).map((part) =>
            ctx.redis.hget(key('decision-events', part), orderingKey),
          ),
        );
        return { next, seq, begun };
      },
      cursor: () => ctx.redis.get(key('decision-changes', 'cursor')),
      streamLength: () => ctx.redis.xlen(key('decision-changes')),
      begin: (effect: DecisionEffect, nowMs: number) =>
        changes.begin(
          {
            id: effect.id,
            orderingKey: effect.orderingKey as string,
            subscriptionId: effect.subscriptionId as string,
          },
          statusKey,
          nowMs,
          LEASE,
        ),
      end: (effect: DecisionEffect) =>
        changes.end(
          {
            id: effect.id,
            orderingKey: effect.orderingKey as string,
            subscriptionId: effect.subscriptionId as string,
          },
          statusKey,
        ),
      setStatus: (id: string, status: string) => ctx.redis.hset(statusKey, id, status),
      /** Every key of the tenant and its serialized value: equal snapshots, nothing written. */
      async snapshot() {
        const keys = await keysMatching(ctx.redis, `${key()}:*`);
        const values = await Promise.all(keys.map((k) => ctx.redis.dumpBuffer(k)));
        return new Map(keys.map((k, i) => [k, values[i]?.toString('hex')]));
      },
      outboxKeys: {
        def: outbox.key('outbox', 'def'),
        status: statusKey,
        due: outbox.key('outbox', 'due'),
      },
    };
  }

  describe('matching subscriptions', () => {
    it('with changes: results, hears only decisions whose result changed', async () => {
      const t = tenantWith(0);
      await t.subscribe('flips', { changes: 'results' });
      await t.subscribe('everything');
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'blocked', previous: 'allowed' },
            // A refreshed validUntil: the same result.
            {
              action: 'compare',
              result: 'allowed',
              previous: 'allowed',
              validUntilMs: NOW + 60_000,
            },
          ]),
        },
        // Only refreshed: nothing for `flips`.
        'P-2': {
          [EU]: auditContext([
            {
              action: 'compare',
              result: 'allowed',
              previous: 'allowed',
              validUntilMs: NOW + 60_000,
            },
          ]),
        },
      });
      expect(await t.step(NOW + 5)).toMatchObject({ entries: 1, events: 3 });
      const heard = (await t.effects()).map(({ event }) => [
        event.subscriptionId,
        event.data.productId,
        event.data.changes.map((c) => c.action),
      ]);
      expect(heard.sort()).toEqual(
        [
          ['everything', 'P-1', ['discover', 'compare']],
          ['everything', 'P-2', ['compare']],
          ['flips', 'P-1', ['discover']],
        ].sort(),
      );
    });

    it('makes one event per changed product and context for a filter-less subscription, sequence 1 then 2', async () => {
      const t = tenantWith(0);
      await t.subscribe('all');
      const first = await t.append(NOW, {
        'P-1': {
          [EU]: auditContext(
            [
              { action: 'discover', result: 'allowed' },
              {
                action: 'add_to_cart',
                result: 'blocked',
                blockers: [['OUT_OF_STOCK']],
                validUntilMs: NOW + 3_600_000,
              },
            ],
            true,
          ),
          [US]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
        'P-2': {
          [EU]: auditContext([
            {
              action: 'quote_policy',
              domain: 'returns',
              result: 'requires_review',
              previous: 'allowed',
              blockers: [['RETURN_POLICY_MISSING', { category: 'apparel' }]],
            },
          ]),
        },
      });

      expect(await t.step(NOW + 5)).toEqual({ entries: 1, events: 3, coalesced: 0, more: false });
      const effects = await t.effects();
      expect(effects.map(({ effect }) => effect.orderingKey).sort()).toEqual(
        [
          orderingKeyOf('all', EU, 'P-1'),
          orderingKeyOf('all', US, 'P-1'),
          orderingKeyOf('all', EU, 'P-2'),
        ].sort(),
      );
      for (const { effect, event, status, dueMs } of effects) {
        expect(event.id).toBe(effect.id);
        expect(effect.id).toMatch(new RegExp(`^dc\\.${first}\\.\\d+$`));
        expect(effect).toMatchObject({
          tenant: t.tenant,
          kind: 'decision_event',
          provider: 'webhook',
          method: 'POST',
          url: HOOK,
          subscriptionId: 'all',
          correlationId: `decision-changes.${first}`,
          createdAtMs: NOW + 5,
        });
        expect(event).toMatchObject({
          type: 'decision.changed',
          subscriptionId: 'all',
          sequence: 1,
          createdAt: toInstant(NOW + 5),
        });
        expect(event.data).toMatchObject({
          evaluatedFrom: toInstant(NOW),
          evaluatedAt: toInstant(NOW),
          rulesetVersion: RULESET,
          coalesced: 1,
        });
        expect(status).toBe('pending');
        expect(dueMs).toBe(NOW + 5);
        expect(await t.keyState(effect.orderingKey as string)).toEqual({
          next: effect.id,
          seq: '1',
          begun: null,
        });
      }

      const p1eu = effects.find(
        ({ effect }) => effect.orderingKey === orderingKeyOf('all', EU, 'P-1'),
      );
      expect(p1eu?.event.data).toStrictEqual({
        productId: 'P-1',
        context: 'EU:consumer:agent',
        evaluatedFrom: toInstant(NOW),
        evaluatedAt: toInstant(NOW),
        rulesetVersion: RULESET,
        coalesced: 1,
        changes: [
          {
            action: 'discover',
            result: 'allowed',
            blockers: [],
            evidenceRefs: EVIDENCE,
            validUntil: null,
          },
          {
            action: 'add_to_cart',
            result: 'blocked',
            blockers: [blocker('OUT_OF_STOCK')],
            evidenceRefs: EVIDENCE,
            validUntil: toInstant(NOW + 3_600_000),
          },
        ],
      });
      const p2 = effects.find(({ event }) => event.data.productId === 'P-2');
      expect(p2?.event.data.changes).toStrictEqual([
        {
          action: 'quote_policy',
          policyDomain: 'returns',
          previousResult: 'allowed',
          result: 'requires_review',
          blockers: [blocker('RETURN_POLICY_MISSING', { category: 'apparel' })],
          evidenceRefs: EVIDENCE,
          validUntil: null,
        },
      ]);

      // P-1 in EU is sent and delivered; its next change is the key's event number 2.
      const sent = p1eu?.effect as DecisionEffect;
      expect(await t.begin(sent, NOW + 10)).toEqual({ kind: 'send' });
      await t.end(sent);
      await t.setStatus(sent.id, 'delivered');
      const second = await t.append(NOW + 1_000, {
        'P-1': {
          [EU]: auditContext([{ action: 'add_to_cart', result: 'allowed', previous: 'blocked' }]),
        },
      });
      expect(await t.step(NOW + 1_005)).toEqual({
        entries: 1,
        events: 1,
        coalesced: 0,
        more: false,
      });
      const next = (await t.effects()).find(({ effect }) => effect.id.startsWith(`dc.${second}.`));
      expect(next?.event.sequence).toBe(2);
      expect(next?.effect.orderingKey).toBe(sent.orderingKey);
      expect(next?.event.data.changes).toStrictEqual([
        {
          action: 'add_to_cart',
          previousResult: 'blocked',
          result: 'allowed',
          blockers: [],
          evidenceRefs: EVIDENCE,
          validUntil: null,
        },
      ]);
      expect(await t.keyState(sent.orderingKey as string)).toEqual({
        next: next?.effect.id,
        seq: '2',
        begun: sent.id,
      });
    });

    it('narrows by products, categories, contexts and actions, each filter given holding', async () => {
      const t = tenantWith(0);
      await t.subscribe('all');
      await t.subscribe('p1', { products: ['P-1'] });
      await t.subscribe('eu', { contexts: ['EU:consumer:agent'] });
      await t.subscribe('cart', { actions: ['add_to_cart'] });
      await t.subscribe('apparel', { categories: ['apparel'] });
      await t.subscribe('narrow', {
        products: ['P-1'],
        contexts: ['EU:consumer:agent'],
        actions: ['discover'],
      });
      // Covers nothing that changed.
      await t.subscribe('payments', { actions: ['delegate_payment'] });
      // P-1 is an apparel product of the catalog; P-2 is not in it.
      await new CatalogStore(ctx.redis, prefix, t.tenant).putProducts([readyProduct('P-1', NOW)]);

      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'blocked', previous: 'allowed' },
            { action: 'add_to_cart', result: 'blocked', previous: 'allowed' },
          ]),
          [US]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
        'P-2': {
          [EU]: auditContext([
            { action: 'add_to_cart', result: 'requires_review', previous: 'allowed' },
          ]),
        },
      });
      const step = await t.step(NOW);
      const heard = (await t.effects()).map(
        ({ event }) =>
          `${event.subscriptionId} ${event.data.productId} ${event.data.context} ${event.data.changes.map((c) => c.action).join(',')}`,
      );
      const expected = [
        'all P-1 EU:consumer:agent discover,add_to_cart',
        'all P-1 US:consumer:agent discover',
        'all P-2 EU:consumer:agent add_to_cart',
        'p1 P-1 EU:consumer:agent discover,add_to_cart',
        'p1 P-1 US:consumer:agent discover',
        'eu P-1 EU:consumer:agent discover,add_to_cart',
        'eu P-2 EU:consumer:agent add_to_cart',
        'cart P-1 EU:consumer:agent add_to_cart',
        'cart P-2 EU:consumer:agent add_to_cart',
        'apparel P-1 EU:consumer:agent discover,add_to_cart',
        'apparel P-1 US:consumer:agent discover',
        'narrow P-1 EU:consumer:agent discover',
      ];
      expect(heard.sort()).toEqual(expected.sort());
      expect(step).toEqual({ entries: 1, events: expected.length, coalesced: 0, more: false });
    });

    it('writes no event, but moves the cursor, when no subscription covers the change', async () => {
      const t = tenantWith(0);
      await t.subscribe('p9', { products: ['P-9'] });
      const id = await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      expect(await t.step(NOW)).toEqual({ entries: 1, events: 0, coalesced: 0, more: false });
      expect(await t.effects()).toEqual([]);
      expect(await t.cursor()).toBe(id);
    });
  });

  describe('coalescing', () => {
    const COALESCE = 1_000;
    const key = orderingKeyOf('all', EU, 'P-1');

    it('merges a change into the pending, unbegun event of its key, keeping its window', async () => {
      const t = tenantWith(COALESCE);
      await t.subscribe('all');
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([
            {
              action: 'discover',
              result: 'blocked',
              previous: 'allowed',
              blockers: [['PRODUCT_INACTIVE', { status: 'inactive' }]],
            },
          ]),
        },
      });
      expect(await t.step(NOW)).toMatchObject({ events: 1, coalesced: 0 });
      const [older] = await t.effects();
      expect(older?.dueMs).toBe(NOW + COALESCE);

      await t.append(NOW + 300, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'requires_review', previous: 'blocked' },
            { action: 'add_to_cart', result: 'blocked', previous: 'allowed' },
          ]),
        },
      });
      expect(await t.step(NOW + 400)).toEqual({
        entries: 1,
        events: 1,
        coalesced: 1,
        more: false,
      });
      const all = await t.effects();
      expect(all).toHaveLength(2);
      const [was, merged] = all;
      // The older one is superseded unsent: out of the due set, its definition kept.
      expect(was?.effect.id).toBe(older?.effect.id);
      expect(was?.status).toBe('superseded');
      expect(was?.dueMs).toBeNull();

      expect(merged?.status).toBe('pending');
      expect(merged?.dueMs).toBe(NOW + COALESCE);
      expect(merged?.effect.createdAtMs).toBe(NOW);
      expect(merged?.event.sequence).toBe(2);
      expect(merged?.event.createdAt).toBe(toInstant(NOW + 400));
      expect(merged?.event.data).toStrictEqual({
        productId: 'P-1',
        context: 'EU:consumer:agent',
        evaluatedFrom: toInstant(NOW),
        evaluatedAt: toInstant(NOW + 300),
        rulesetVersion: RULESET,
        coalesced: 2,
        changes: [
          {
            action: 'discover',
            previousResult: 'allowed',
            result: 'requires_review',
            blockers: [],
            evidenceRefs: EVIDENCE,
            validUntil: null,
          },
          {
            action: 'add_to_cart',
            previousResult: 'allowed',
            result: 'blocked',
            blockers: [],
            evidenceRefs: EVIDENCE,
            validUntil: null,
          },
        ],
      });
      expect(await t.keyState(key)).toEqual({ next: merged?.effect.id, seq: '2', begun: null });

      // A third change still lands in the window the first opened.
      await t.append(NOW + 600, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'allowed', previous: 'requires_review' },
          ]),
        },
      });
      expect(await t.step(NOW + 700)).toMatchObject({ events: 1, coalesced: 1 });
      const third = (await t.effects()).at(-1);
      expect(third?.event.sequence).toBe(3);
      expect(third?.event.data.coalesced).toBe(3);
      expect(third?.dueMs).toBe(NOW + COALESCE);
      expect(third?.event.data.changes.map((c) => [c.action, c.previousResult, c.result])).toEqual([
        ['discover', 'allowed', 'allowed'],
        ['add_to_cart', 'allowed', 'blocked'],
      ]);
      expect((await t.effects()).map(({ status }) => status)).toEqual([
        'superseded',
        'superseded',
        'pending',
      ]);
    });

    it('merges the changes of one key within one step into one event', async () => {
      const t = tenantWith(COALESCE);
      await t.subscribe('all');
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      const last = await t.append(NOW + 50, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'requires_review', previous: 'blocked' },
          ]),
        },
      });
      expect(await t.step(NOW + 100)).toEqual({ entries: 2, events: 1, coalesced: 0, more: false });
      const [only, ...rest] = await t.effects();
      expect(rest).toEqual([]);
      expect(only?.effect.id).toBe(`dc.${last}.0`);
      expect(only?.event.sequence).toBe(1);
      expect(only?.event.data).toMatchObject({
        coalesced: 2,
        evaluatedFrom: toInstant(NOW),
        evaluatedAt: toInstant(NOW + 50),
      });
      expect(only?.event.data.changes.map((c) => [c.previousResult, c.result])).toEqual([
        ['allowed', 'requires_review'],
      ]);
      expect(only?.dueMs).toBe(NOW + 100 + COALESCE);
    });

    it('makes a separate event, in a new window, after the older one was sent', async () => {
      const t = tenantWith(COALESCE);
      await t.subscribe('all');
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      await t.step(NOW);
      const [older] = await t.effects();
      const sent = older?.effect as DecisionEffect;
      expect(await t.begin(sent, NOW + COALESCE)).toEqual({ kind: 'send' });
      await t.end(sent);
      await t.setStatus(sent.id, 'delivered');

      await t.append(NOW + 2_000, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'requires_review', previous: 'blocked' },
          ]),
        },
      });
      expect(await t.step(NOW + 2_100)).toEqual({
        entries: 1,
        events: 1,
        coalesced: 0,
        more: false,
      });
      const [was, next] = await t.effects();
      expect(was?.status).toBe('delivered');
      expect(next?.event.sequence).toBe(2);
      expect(next?.event.data.coalesced).toBe(1);
      expect(next?.event.data.evaluatedFrom).toBe(toInstant(NOW + 2_000));
      expect(next?.event.data.changes.map((c) => [c.previousResult, c.result])).toEqual([
        ['blocked', 'requires_review'],
      ]);
      expect(next?.effect.createdAtMs).toBe(NOW + 2_100);
      expect(next?.dueMs).toBe(NOW + 2_100 + COALESCE);
      expect(await t.keyState(key)).toEqual({ next: next?.effect.id, seq: '2', begun: sent.id });
    });

    it('carries a begun, still pending event on in a new event of its own window; the gate then drops the older', async () => {
      const t = tenantWith(COALESCE);
      await t.subscribe('all');
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      await t.step(NOW);
      const [older] = await t.effects();
      const inFlight = older?.effect as DecisionEffect;
      // Its send began (and has not ended): it is no longer the key's next event.
      expect(await t.begin(inFlight, NOW + COALESCE)).toEqual({ kind: 'send' });

      await t.append(NOW + 1_200, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'requires_review', previous: 'blocked' },
          ]),
        },
      });
      expect(await t.step(NOW + 1_300)).toMatchObject({ events: 1, coalesced: 1 });
      const [was, next] = await t.effects();
      // Not superseded by the projection: its send is under way.
      expect(was?.status).toBe('pending');
      expect(was?.dueMs).toBe(NOW + COALESCE);
      expect(next?.effect.id).not.toBe(inFlight.id);
      expect(next?.event.sequence).toBe(2);
      expect(next?.event.data.coalesced).toBe(2);
      expect(next?.event.data.changes.map((c) => [c.previousResult, c.result])).toEqual([
        ['allowed', 'requires_review'],
      ]);
      expect(next?.effect.createdAtMs).toBe(NOW + 1_300);
      expect(next?.dueMs).toBe(NOW + 1_300 + COALESCE);

      const newer = next?.effect as DecisionEffect;
      // The newer waits for the send in flight; a retry of the older is then dropped.
      expect(await t.begin(newer, NOW + 2_300)).toMatchObject({ kind: 'held' });
      await t.end(inFlight);
      expect(await t.begin(inFlight, NOW + 2_400)).toEqual({
        kind: 'superseded',
        reason: 'replaced',
      });
      expect(await t.begin(newer, NOW + 2_500)).toEqual({ kind: 'send' });
    });
  });

  describe('the cursor', () => {
    it('advances past projected entries, trims the stream, and a step with nothing new writes nothing', async () => {
      const t = tenantWith(0, 2);
      await t.subscribe('all');
      const ids: string[] = [];
      for (const [n, product] of ['P-1', 'P-2', 'P-3'].entries()) {
        ids.push(
          await t.append(NOW + n, {
            [product]: {
              [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
            },
          }),
        );
      }
      // Stream ids carry the server's clock, so ages are asked as of now.
      const waiting = await t.changes.backlog(Date.now());
      expect(waiting.entries).toBe(3);
      expect(waiting.oldestAgeMs).toBeGreaterThanOrEqual(0);

      expect(await t.step(NOW + 10)).toEqual({ entries: 2, events: 2, coalesced: 0, more: true });
      expect(await t.cursor()).toBe(ids[1]);
      // Trimmed up to the cursor's own entry.
      expect(await t.streamLength()).toBe(2);
      expect((await t.changes.backlog(Date.now())).entries).toBe(1);

      expect(await t.step(NOW + 20)).toEqual({ entries: 1, events: 1, coalesced: 0, more: false });
      expect(await t.cursor()).toBe(ids[2]);
      expect(await t.streamLength()).toBe(1);
      expect(await t.changes.backlog(Date.now())).toEqual({ entries: 0, oldestAgeMs: null });
      expect((await t.effects()).map(({ event }) => event.data.productId).sort()).toEqual([
        'P-1',
        'P-2',
        'P-3',
      ]);

      const before = await t.snapshot();
      expect(before.size).toBeGreaterThan(0);
      expect(await t.step(NOW + 30)).toEqual({ entries: 0, events: 0, coalesced: 0, more: false });
      expect(await t.snapshot()).toEqual(before);
    });
    it('says when entries were trimmed away before they were projected, once, and goes on', async () => {
      const t = tenantWith(0);
      await t.subscribe('all');
      const change = (product: string) => ({
        [product]: {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      const first = await t.append(NOW, change('P-1'));
      expect((await t.step(NOW + 1)).entries).toBe(1);
      expect(await t.cursor()).toBe(first);
      await t.append(NOW + 2, change('P-2'));
      const kept = await t.append(NOW + 3, change('P-3'));
      // What STREAM_MAXLEN does when no projector runs for long: the oldest entries go.
      await ctx.redis.xtrim(tenantKeys(prefix, t.tenant)('decision-changes'), 'MAXLEN', 1);
      const gaps: [string, string][] = [];
      const projector = new DecisionEventProjector({
        redis: ctx.redis,
        prefix,
        subscriptions: subscriptionServiceOf(ctx),
        coalesceMs: 0,
        entriesPerStep: 50,
        onGap: (tenant, cursor, next) => {
          expect(tenant).toBe(t.tenant);
          gaps.push([cursor, next]);
        },
      });
      expect((await projector.step(t.tenant, NOW + 4)).entries).toBe(1);
      expect(gaps).toEqual([[first, kept]]);
      expect((await t.effects()).map(({ event }) => event.data.productId).sort()).toEqual([
        'P-1',
        'P-3',
      ]);
      // Past the gap: the next step finds its cursor's entry and says nothing more.
      await t.append(NOW + 5, change('P-4'));
      expect((await projector.step(t.tenant, NOW + 6)).entries).toBe(1);
      expect(gaps).toHaveLength(1);
    });
  });

  describe('races', () => {
    const key = orderingKeyOf('all', EU, 'P-1');

    /** A tenant whose P-1 in EU has one pending event, and a second change after it. */
    async function withWaitingEvent(coalesceMs: number, redis?: RedisClient) {
      const t = tenantWith(coalesceMs, 50, redis);
      await t.subscribe('all');
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      await t.projector(ctx.redis).step(t.tenant, NOW);
      const [older] = await t.effects();
      const second = await t.append(NOW + 100, {
        'P-1': {
          [EU]: auditContext([
            { action: 'discover', result: 'requires_review', previous: 'blocked' },
          ]),
        },
      });
      return { t, older: older?.effect as DecisionEffect, second };
    }

    it('writes nothing when a key’s next event is not the one the step read', async () => {
      const { t, older, second } = await withWaitingEvent(1_000);
      const cursor = (await t.cursor()) as string;
      const before = await t.snapshot();
      const stale = {
        orderingKey: key,
        previousNextId: '', // read before the older event was written
        id: `dc.${second}.0`,
        definition: JSON.stringify({ id: `dc.${second}.0` }),
        dueMs: NOW + 100,
        sequence: 1,
      };
      expect(await t.changes.project(cursor, second, [stale], t.outboxKeys)).toBe(false);
      expect(await t.snapshot()).toEqual(before);
      expect(await t.keyState(key)).toEqual({ next: older.id, seq: '1', begun: null });
    });

    it('writes nothing when another projector moved the cursor', async () => {
      const { t, second } = await withWaitingEvent(1_000);
      const before = await t.snapshot();
      expect(await t.changes.project('', second, [], t.outboxKeys)).toBe(false);
      expect(await t.snapshot()).toEqual(before);
    });

    it('reads again when a send begins between its read and its write', async () => {
      // A connection that lets the older event's send begin right after the step read the key.
      let begun: unknown;
      let older: DecisionEffect | undefined;
      let t: ReturnType<typeof tenantWith> | undefined;
      const nextKey = () => tenantKeys(prefix, t?.tenant ?? '')('decision-events', 'next');
      const racing = new Proxy(ctx.redis, {
        get(target, property) {
          if (property === 'hmget') {
            return async (hash: string, ...fields: string[]) => {
              const reply = await target.hmget(hash, ...fields);
              if (hash === nextKey() && begun === undefined && older !== undefined && t) {
                begun = await t.begin(older, NOW + 150);
              }
              return reply;
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const setup = await withWaitingEvent(1_000, racing);
      t = setup.t;
      older = setup.older;

      expect(await t.step(NOW + 200)).toMatchObject({ entries: 1, events: 1 });
      expect(begun).toEqual({ kind: 'send' });
      const [was, next] = await t.effects();
      // Had the first write gone through, it would have superseded the event now being sent.
      expect(was?.effect.id).toBe(older.id);
      expect(was?.status).toBe('pending');
      expect(next?.event.sequence).toBe(2);
      expect(next?.effect.id).toBe(`dc.${setup.second}.0`);
      // A new window: the older one's had passed to its send.
      expect(next?.dueMs).toBe(NOW + 200 + 1_000);
      expect(await t.keyState(key)).toEqual({ next: next?.effect.id, seq: '2', begun: older.id });
    });

    it('two projectors stepping at once write each event once', async () => {
      const t = tenantWith(0);
      await t.subscribe('all');
      await t.subscribe('p1', { products: ['P-1'] });
      await t.append(NOW, {
        'P-1': {
          [EU]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
          [US]: auditContext([{ action: 'discover', result: 'blocked', previous: 'allowed' }]),
        },
      });
      const steps = await Promise.all([t.step(NOW), t.projector().step(t.tenant, NOW)]);
      expect(steps.map((s) => s.entries).sort()).toEqual([0, 1]);
      expect(steps.reduce((sum, s) => sum + s.events, 0)).toBe(4);
      const effects = await t.effects();
      expect(effects).toHaveLength(4);
      expect(
        effects.every(({ event, status }) => event.sequence === 1 && status === 'pending'),
      ).toBe(true);
    });
  });
});
