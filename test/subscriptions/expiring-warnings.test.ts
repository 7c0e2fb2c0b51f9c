import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { subscriptionServiceOf } from '../../src/app/subscriptions.js';
import type { AppContext } from '../../src/app-context.js';
import { contextKey, toInstant } from '../../src/domain/index.js';
import type { ProfileExpiringEvent } from '../../src/services/subscriptions/decision-event.js';
import {
  EXPIRING_EVENT_ID_PREFIX,
  ExpiringWarner,
} from '../../src/services/subscriptions/expiring-warner.js';
import { SubscriptionBodySchema } from '../../src/services/subscriptions/product-subscription.js';
import { type OutboxEffect, OutboxStore } from '../../src/store/outbox-store.js';
import { decodeProfile } from '../../src/store/profile-codec.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { createTestContext } from '../helpers/test-context.js';

/**
 * profile.expiring (issue 18): the staleness sweep warns a subscription asking for it, once per
 * (product, context, validUntil), of the covered decisions that stop holding within the lead,
 * read from the stored profile as the evaluation wrote it.
 */
const NOW = Date.parse('2026-06-01T10:00:00Z');
const LEAD_MS = 300_000;
const EU = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
const US = { region: 'US', buyerType: 'consumer', channel: 'agent' } as const;
const HOOK = 'http://127.0.0.1:9/hooks';

type WarningEffect = OutboxEffect & { body: ProfileExpiringEvent };

describe('profile.expiring warnings', () => {
  let ctx: AppContext;
  let warner: ExpiringWarner;

  beforeAll(() => {
    ctx = createTestContext({ EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent' });
    warner = new ExpiringWarner({
      redis: ctx.redis,
      prefix: ctx.config.KEY_PREFIX,
      subscriptions: subscriptionServiceOf(ctx),
      contexts: ctx.config.EVALUATION_CONTEXTS,
      leadMs: LEAD_MS,
    });
  });
  afterAll(async () => {
    await catalogRuntime(ctx).close();
    await ctx?.close();
  });

  /** A fresh tenant whose products are evaluated at `at` with inventory holding `ttl` seconds. */
  function tenant() {
    const id = `warn-${randomUUID().slice(0, 8)}`;
    const runtime = catalogRuntime(ctx);
    const stores = runtime.storesOf(id);
    const outbox = new OutboxStore(ctx.redis, ctx.config.KEY_PREFIX, id);
    return {
      id,
      async observe(productIds: string[], at: number, inventoryTtlSeconds: number) {
        for (const policy of coveringPolicies()) await stores.catalog.putPolicy(policy);
        await stores.catalog.putProducts(
          productIds.map((p) => readyProduct(p, at, { inventoryTtlSeconds })),
        );
        await runtime.evaluation.evaluateBatch(stores, productIds, at);
      },
      subscribe(subscriptionId: string, body: object) {
        return subscriptionServiceOf(ctx).put(
          id,
          subscriptionId,
          SubscriptionBodySchema.parse({ url: HOOK, ...body }),
        );
      },
      async warnings(): Promise<WarningEffect[]> {
        const defs = await ctx.redis.hgetall(outbox.key('outbox', 'def'));
        return Object.entries(defs)
          .filter(([effectId]) => effectId.startsWith(EXPIRING_EVENT_ID_PREFIX))
          .map(([, json]) => JSON.parse(json) as WarningEffect)
          .sort((a, b) => a.body.data.context.localeCompare(b.body.data.context));
      },
      async storedValidUntil(productId: string, context: typeof EU | typeof US) {
        const stored = await stores.profiles.read(contextKey(context), productId);
        if (stored === undefined) throw new Error(`no stored profile of ${productId}`);
        return decodeProfile(productId, context, stored);
      },
      pendingIds: () => ctx.redis.zrange(outbox.key('outbox', 'due'), 0, -1),
    };
  }

  it('warns once per validUntil, in each covered context, of the decisions it ends', async () => {
    const t = tenant();
    await t.observe(['SOON'], NOW, 120);
    await t.subscribe('warned', { events: ['profile.expiring'] });

    expect(await warner.sweep(t.id, NOW + 1_000)).toBe(2);
    const warnings = await t.warnings();
    expect(warnings.map((w) => w.body.data.context)).toEqual([
      'EU:consumer:agent',
      'US:consumer:agent',
    ]);
    for (const [i, context] of [EU, US].entries()) {
      const warning = warnings[i] as WarningEffect;
      const profile = await t.storedValidUntil('SOON', context);
      expect(warning.body).toMatchObject({
        id: warning.id,
        type: 'profile.expiring',
        subscriptionId: 'warned',
        data: {
          productId: 'SOON',
          validUntil: profile.validUntil,
          evaluatedAt: profile.evaluatedAt,
          rulesetVersion: profile.rulesetVersion,
        },
      });
      // Exactly the stored decisions that stop holding at the inventory's end, as stored.
      const ending = profile.decisions
        .filter((d) => d.validUntil === toInstant(NOW + 120_000))
        .map((d) => ({ action: d.action, result: d.result }));
      expect(ending.length).toBeGreaterThan(0);
      expect(
        warning.body.data.expiring.map((d) => ({ action: d.action, result: d.result })),
      ).toEqual(expect.arrayContaining(ending));
      expect(warning.body.data.expiring.every((d) => d.validUntil === profile.validUntil)).toBe(
        true,
      );
      expect(warning).toMatchObject({ kind: 'decision_event', provider: 'webhook', url: HOOK });
    }
    expect((await t.pendingIds()).sort()).toEqual(warnings.map((w) => w.id).sort());

    // Later sweeps before the validUntil warn of nothing more.
    expect(await warner.sweep(t.id, NOW + 2_000)).toBe(0);
    expect(await warner.sweep(t.id, NOW + 100_000)).toBe(0);
    expect(await t.warnings()).toHaveLength(2);

    // Re-observed: a new validUntil, a new warning once it comes within the lead.
    await t.observe(['SOON'], NOW + 110_000, 240);
    expect(await warner.sweep(t.id, NOW + 111_000)).toBe(2);
    const after = await t.warnings();
    expect(after).toHaveLength(4);
    expect(new Set(after.map((w) => w.body.data.validUntil))).toEqual(
      new Set([toInstant(NOW + 120_000), toInstant(NOW + 350_000)]),
    );
  });

  it('warns of nothing beyond the lead, and only subscriptions asking for it', async () => {
    const t = tenant();
    await t.observe(['LATER'], NOW, 3_600);
    await t.observe(['SOON'], NOW, 60);
    await t.subscribe('changes-only', { events: ['decision.changed'] });
    expect(await warner.sweep(t.id, NOW + 1_000)).toBe(0);
    // Asked for now, the product still due within the lead is warned of (it was not marked).
    await t.subscribe('late', { events: ['profile.expiring'] });
    expect(await warner.sweep(t.id, NOW + 2_000)).toBe(2);
    const warnings = await t.warnings();
    expect(warnings.map((w) => [w.body.subscriptionId, w.body.data.productId])).toEqual([
      ['late', 'SOON'],
      ['late', 'SOON'],
    ]);
  });

  it('keeps to the subscription’s products, contexts and actions', async () => {
    const t = tenant();
    await t.observe(['A', 'B'], NOW, 120);
    await t.subscribe('narrow', {
      events: ['profile.expiring'],
      products: ['A'],
      contexts: ['EU:consumer:agent'],
      actions: ['add_to_cart', 'compare'],
    });
    expect(await warner.sweep(t.id, NOW + 1_000)).toBe(1);
    const [warning] = await t.warnings();
    expect(warning?.body.data).toMatchObject({ productId: 'A', context: 'EU:consumer:agent' });
    const actions = new Set(warning?.body.data.expiring.map((d) => d.action));
    expect([...actions].every((a) => a === 'add_to_cart' || a === 'compare')).toBe(true);
    expect(actions.size).toBeGreaterThan(0);
  });

  it('writes a warning again as the same id, never twice', async () => {
    const t = tenant();
    await t.observe(['TWICE'], NOW, 120);
    await t.subscribe('w', { events: ['profile.expiring'] });
    expect(await warner.sweep(t.id, NOW + 1_000)).toBe(2);
    // A sweep that crashed after writing and before marking: the marks are gone, the ids stay.
    await ctx.redis.del(`${ctx.config.KEY_PREFIX}:{${t.id}}:expiring:warned`);
    expect(await warner.sweep(t.id, NOW + 2_000)).toBe(0);
    expect(await t.warnings()).toHaveLength(2);
  });
});
