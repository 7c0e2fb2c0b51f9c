import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { startApp } from '../../src/app/start-app.js';
import type { AppContext } from '../../src/app-context.js';
import { manualClock } from '../../src/clock.js';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import type { App } from '../../src/http/types.js';
import type { SubscriptionsSummary } from '../../src/services/readiness-data.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { tenantKeys } from '../../src/store/keys.js';
import { type OutboxEffect, OutboxStore } from '../../src/store/outbox-store.js';
import {
  OTHER_TENANT,
  OTHER_TOKEN,
  TENANT,
  TENANT_AUTH,
  TENANT_TOKEN,
} from '../helpers/catalog-app-context.js';
import { receiptEffect } from '../helpers/outbox-fixtures.js';
import { createTestContext } from '../helpers/test-context.js';

/** The time the whole file runs at: every age below is exact. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const SECOND = 1000;

/** The value of one sample in a Prometheus exposition; undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries(
      [...inside.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (
      Object.keys(found).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => found[key] === value)
    ) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

/** A decision event's outbox effect, as the projector writes one. */
function decisionEffect(id: string, tenant: string): OutboxEffect {
  return {
    id,
    tenant,
    kind: 'decision_event',
    provider: 'webhook',
    method: 'POST',
    url: 'http://127.0.0.1:9/hooks',
    body: {},
    subscriptionId: 'watch-a',
    orderingKey: `watch-a|${id}`,
    correlationId: 'subscription-operations-test',
    createdAtMs: NOW,
  };
}

/**
 * The operator's view of subscriptions (issue 18): the readiness page's data, the page and
 * /metrics count a tenant's subscriptions, its change-stream entries the projector has not
 * reached, its decision events waiting in the outbox and those dead-lettered — and nothing
 * else in the outbox. No worker runs (role `ingress`), so what the test writes stays put.
 */
describe('subscriptions on the readiness page and in metrics', () => {
  let ctx: AppContext;
  let app: App;
  const operator = { authorization: `Bearer ${DEMO_OPERATOR_TOKEN}` };

  /** Writes effects the way a checkout transition does, each due at its own time. */
  async function commit(tenant: string, effects: { effect: OutboxEffect; dueMs: number }[]) {
    const first = effects[0]?.effect.id;
    const result = await new CheckoutStore(ctx.redis, ctx.config.KEY_PREFIX, tenant).commit({
      checkoutId: `co-${first}`,
      expectedVersion: 0,
      doc: '{}',
      effects,
      audit: { type: 'test.commit' },
    });
    expect(result.kind).toBe('ok');
  }

  /** Settles pending effects without sending them, as the delivery would. */
  async function settle(tenant: string, id: string, outcome: 'dead' | 'delivered') {
    const [settled] = await new OutboxStore(ctx.redis, ctx.config.KEY_PREFIX, tenant).settlePlain(
      [
        {
          effectId: id,
          outcome,
          record: { at: new Date(NOW).toISOString(), result: 'permanent', status: 410 },
          audit: { type: 'test.settle', effectId: id },
        },
      ],
      NOW,
    );
    expect(settled?.kind).toBe('ok');
  }

  /** Change-stream entries at fixed times (ms before NOW), in order. */
  async function changes(tenant: string, agesMs: readonly number[]) {
    const stream = tenantKeys(ctx.config.KEY_PREFIX, tenant)('decision-changes');
    for (const ageMs of agesMs) {
      await ctx.redis.xadd(stream, `${NOW - ageMs}-0`, 't', new Date(NOW - ageMs).toISOString());
    }
  }

  beforeAll(async () => {
    ctx = createTestContext(
      { AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN},${OTHER_TENANT}:${OTHER_TOKEN}` },
      manualClock(NOW),
    );
    app = await startApp(ctx, 'ingress');

    for (const id of ['watch-a', 'watch-b']) {
      const created = await app.inject({
        method: 'PUT',
        url: `/v1/subscriptions/${id}`,
        headers: TENANT_AUTH,
        payload: { url: 'http://127.0.0.1:9/hooks', products: ['P-1'] },
      });
      expect(created.statusCode).toBe(201);
    }

    // TENANT: three change entries, the first projected (the cursor) — two left, 200 s the older.
    await changes(TENANT, [300 * SECOND, 200 * SECOND, 100 * SECOND]);
    await ctx.redis.set(
      tenantKeys(ctx.config.KEY_PREFIX, TENANT)('decision-changes', 'cursor'),
      `${NOW - 300 * SECOND}-0`,
    );
    // Decision events: two due (90 s and 10 s ago), one waiting for a retry, one to dead-letter,
    // one delivered; and receipts, one older than any of them and one dead-lettered, which are
    // not decision events.
    await commit(TENANT, [
      { effect: decisionEffect('dc.1-0.0', TENANT), dueMs: NOW - 90 * SECOND },
      { effect: decisionEffect('dc.1-0.1', TENANT), dueMs: NOW - 10 * SECOND },
      { effect: decisionEffect('dc.1-0.2', TENANT), dueMs: NOW + 60 * SECOND },
      { effect: decisionEffect('dc.1-0.3', TENANT), dueMs: NOW - 30 * SECOND },
      { effect: decisionEffect('dc.1-0.4', TENANT), dueMs: NOW - 30 * SECOND },
      { effect: receiptEffect('co-1.a1.receipt', TENANT), dueMs: NOW - 500 * SECOND },
      { effect: receiptEffect('co-2.a1.receipt', TENANT), dueMs: NOW - 500 * SECOND },
    ]);
    await settle(TENANT, 'dc.1-0.3', 'dead');
    await settle(TENANT, 'dc.1-0.4', 'delivered');
    await settle(TENANT, 'co-2.a1.receipt', 'dead');

    // OTHER_TENANT: no subscription, no change; one decision event due 30 s ago, and two
    // profile.expiring warnings (`pe.`), one due 45 s ago and one dead-lettered.
    await commit(OTHER_TENANT, [
      { effect: decisionEffect('dc.2-0.0', OTHER_TENANT), dueMs: NOW - 30 * SECOND },
      { effect: decisionEffect('pe.warning-1', OTHER_TENANT), dueMs: NOW - 45 * SECOND },
      { effect: decisionEffect('pe.warning-2', OTHER_TENANT), dueMs: NOW - 20 * SECOND },
    ]);
    await settle(OTHER_TENANT, 'pe.warning-2', 'dead');
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  const expected: Record<string, SubscriptionsSummary> = {
    [TENANT]: {
      subscriptions: 2,
      unprojected: 2,
      oldestUnprojectedAgeSeconds: 200,
      undelivered: 3,
      oldestUndeliveredAgeSeconds: 90,
      deadLettered: 1,
      lagSeconds: 200,
      complete: true,
    },
    [OTHER_TENANT]: {
      subscriptions: 0,
      unprojected: 0,
      oldestUnprojectedAgeSeconds: null,
      undelivered: 2,
      oldestUndeliveredAgeSeconds: 45,
      deadLettered: 1,
      lagSeconds: 45,
      complete: true,
    },
  };

  it("gives the readiness page each tenant's subscriptions, backlog, waiting and dead events", async () => {
    const sources = readinessSourcesOf(ctx);
    try {
      expect(await sources.subscriptions?.(TENANT)).toEqual(expected[TENANT]);
      expect(await sources.subscriptions?.(OTHER_TENANT)).toEqual(expected[OTHER_TENANT]);
    } finally {
      await sources.close?.();
    }
  });

  it('shows them on the readiness page', async () => {
    const page = await app.inject({
      method: 'GET',
      url: `/admin/readiness?tenant=${TENANT}`,
      headers: operator,
    });
    expect(page.statusCode).toBe(200);
    const start = page.body.indexOf('<h2>Subscriptions</h2>');
    expect(start).toBeGreaterThan(page.body.indexOf('<h2>Outbox</h2>'));
    const section = page.body.slice(start, page.body.indexOf('</table>', start));
    const rows = Object.fromEntries(
      [...section.matchAll(/<tr><th>([^<]+)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    expect(rows).toEqual({
      Subscriptions: '2',
      'Changes not yet projected': '2',
      'Oldest unprojected': '3 min',
      'Decision events waiting': '3',
      'Oldest due event': '90 s',
      'Dead-lettered events': '1',
      Lag: '3 min',
    });
    // The dead-lettered decision event is listed with the outbox's dead letters, to replay.
    expect(page.body).toContain('<code>dc.1-0.3</code>');

    const other = await app.inject({
      method: 'GET',
      url: `/admin/readiness?tenant=${OTHER_TENANT}`,
      headers: operator,
    });
    expect(other.body).toMatch(/<tr><th>Subscriptions<\/th><td>0<\/td><\/tr>/);
    expect(other.body).toMatch(/<tr><th>Oldest unprojected<\/th><td>—<\/td><\/tr>/);
    expect(other.body).toMatch(/<tr><th>Lag<\/th><td>45 s<\/td><\/tr>/);
    // profile.expiring warnings are counted with the decision events.
    expect(other.body).toMatch(/<tr><th>Decision events waiting<\/th><td>2<\/td><\/tr>/);
    expect(other.body).toMatch(/<tr><th>Dead-lettered events<\/th><td>1<\/td><\/tr>/);
  });

  it('reports them in /metrics, per tenant and stage', async () => {
    const scrape = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    const text = scrape.body;
    for (const [tenant, summary] of Object.entries(expected)) {
      expect(sample(text, 'acw_subscriptions', { tenant })).toBe(summary.subscriptions);
      const backlog = (stage: string) =>
        sample(text, 'acw_decision_events_backlog', { tenant, stage });
      expect(backlog('unprojected')).toBe(summary.unprojected);
      expect(backlog('undelivered')).toBe(summary.undelivered);
      expect(backlog('dead_letter')).toBe(summary.deadLettered);
      expect(sample(text, 'acw_decision_events_lag_seconds', { tenant })).toBe(summary.lagSeconds);
    }
    // The outbox's own gauges still count every effect, receipts included.
    expect(sample(text, 'acw_outbox_entries', { tenant: TENANT, state: 'dead_letter' })).toBe(2);
  });
});

/** The outbox count by id prefix scans a bounded number of entries per call. */
describe('OutboxStore.countWithPrefix', () => {
  let ctx: AppContext;
  beforeAll(() => {
    ctx = createTestContext({ AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN}` });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  /** A tenant whose due set holds `n` decision events (due at 1…n) and `n` other effects. */
  async function dueSet(tenant: string, n: number): Promise<OutboxStore> {
    const store = new OutboxStore(ctx.redis, ctx.config.KEY_PREFIX, tenant);
    const members = Array.from({ length: n }, (_, i) => [
      String(i + 1),
      `dc.${i}-0.0`,
      String(i + 1),
      `co-${i}.a1.receipt`,
    ]).flat();
    // In slices: one ZADD of every member would spread past the call stack.
    for (let at = 0; at < members.length; at += 8000) {
      await ctx.redis.zadd(store.key('outbox', 'due'), ...members.slice(at, at + 8000));
    }
    return store;
  }

  it('counts every match of a set past the small encodings, exactly', async () => {
    const store = await dueSet('wide', 2000);
    expect(await store.countWithPrefix('dc.', 1500)).toEqual({
      pending: 2000,
      oldestDueMs: 1,
      dead: 0,
      complete: true,
    });
    // Due later than now: pending, but none due yet.
    expect((await store.countWithPrefix('dc.', 0)).oldestDueMs).toBeNull();
  });

  it('stops at its bound on a huge set, and says its counts are lower bounds', async () => {
    const store = await dueSet('huge', 30_000);
    const counts = await store.countWithPrefix('dc.', 100_000);
    expect(counts.complete).toBe(false);
    expect(counts.pending).toBeGreaterThan(0);
    expect(counts.pending).toBeLessThan(30_000);
  });
});
