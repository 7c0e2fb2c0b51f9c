import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app/start-app.js';
import type { AppContext } from '../../src/app-context.js';
import type { App } from '../../src/http/types.js';
import { verifyWebhookSignature } from '../../src/providers/webhook-signature.js';
import type {
  DecisionChangedEvent,
  ProfileExpiringEvent,
} from '../../src/services/subscriptions/decision-event.js';
import { DecisionChangeStore } from '../../src/store/decision-change-store.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { TENANT, TENANT_AUTH, TENANT_TOKEN } from '../helpers/catalog-app-context.js';
import { productDocument } from '../helpers/catalog-facts.js';
import { putProduct } from '../helpers/catalog-requests.js';
import {
  type LoopbackServer,
  loopbackServer,
  type RecordedRequest,
} from '../helpers/loopback-server.js';
import { createTestContext } from '../helpers/test-context.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'decision-events-test-secret-0123456789';

/** A subscriber's endpoint: answers 200 and hands each event to whoever waits for it. */
async function agentEndpoint() {
  const events: { event: DecisionChangedEvent; request: RecordedRequest }[] = [];
  const waiters: { match: (e: DecisionChangedEvent) => boolean; resolve: () => void }[] = [];
  const server = await loopbackServer((request: RecordedRequest, response: ServerResponse) => {
    const event = JSON.parse(request.body.toString('utf8')) as DecisionChangedEvent;
    events.push({ event, request });
    response.writeHead(200).end();
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    server,
    events,
    /** Resolves once an event `match` accepts has arrived (or already had). */
    next(match: (e: DecisionChangedEvent) => boolean): Promise<void> {
      if (events.some(({ event }) => match(event))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching decision event')), 15_000);
        waiters.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

describe('decision.changed events', () => {
  let ctx: AppContext;
  let app: App;
  let agent: Awaited<ReturnType<typeof agentEndpoint>>;
  let other: LoopbackServer;

  beforeAll(async () => {
    ctx = createTestContext({
      AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN}`,
      WEBHOOK_SECRET: SECRET,
      DECISION_EVENT_COALESCE_MS: '0',
      EVALUATION_COALESCE_MS: '10',
      OUTBOX_DRAIN_INTERVAL_MS: '100',
      STALENESS_SWEEP_EVERY_MS: '200',
      EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent',
    });
    app = await startApp(ctx, 'all');
    agent = await agentEndpoint();
    other = await loopbackServer((_request, response) => response.writeHead(200).end());
  });
  afterAll(async () => {
    await app?.close();
    await agent?.server.close();
    await other?.close();
    await ctx?.close();
  });

  const subscribe = (id: string, body: object) =>
    app.inject({
      method: 'PUT',
      url: `/v1/subscriptions/${id}`,
      headers: TENANT_AUTH,
      payload: body,
    });

  it('sends a signed event per changed product and context, in sequence, matching the audit', async () => {
    const created = await subscribe('watch-p1', {
      url: `${agent.server.url}/hooks`,
      products: ['P-1'],
      contexts: ['EU:consumer:agent'],
    });
    expect(created.statusCode).toBe(201);
    // Another product, another context: not this subscription's.
    expect((await putProduct(app, 'P-2')).statusCode).toBeLessThan(300);
    expect((await putProduct(app, 'P-1')).statusCode).toBeLessThan(300);
    await agent.next((e) => e.data.productId === 'P-1' && e.sequence === 1);

    // A change that flips decisions: the product is withdrawn.
    expect(
      (await putProduct(app, 'P-1', productDocument('P-1', { status: 'inactive' }))).statusCode,
    ).toBeLessThan(300);
    await agent.next((e) => e.data.productId === 'P-1' && e.sequence === 2);

    const received = agent.events.map(({ event }) => event);
    expect(received.map((e) => e.data.productId)).toEqual(['P-1', 'P-1']);
    expect(received.map((e) => e.data.context)).toEqual(['EU:consumer:agent', 'EU:consumer:agent']);
    expect(received.map((e) => e.sequence)).toEqual([1, 2]);

    for (const { event, request } of agent.events) {
      expect(request.headers['webhook-id']).toBe(event.id);
      const signature = request.headers['merchant-signature'] as string;
      expect(verifyWebhookSignature(SECRET, signature, request.body.toString('utf8'))).toBe(true);
      expect(
        verifyWebhookSignature('another-secret', signature, request.body.toString('utf8')),
      ).toBe(false);
    }

    // The second event is exactly the audit's newest entry for the context.
    const audit = await app.inject({
      method: 'GET',
      url: '/v1/products/P-1/audit?limit=10',
      headers: TENANT_AUTH,
    });
    const entries = (
      audit.json() as {
        entries: {
          changes: { context: string; action: string; result: string; previousResult?: string }[];
        }[];
      }
    ).entries;
    const newest = entries[0]?.changes.filter((c) => c.context === 'EU|consumer|agent') ?? [];
    const second = received[1] as DecisionChangedEvent;
    expect(second.data.changes.map((c) => [c.action, c.previousResult, c.result]).sort()).toEqual(
      newest.map((c) => [c.action, c.previousResult, c.result]).sort(),
    );
    expect(second.data.changes.some((c) => c.previousResult !== c.result)).toBe(true);
  });

  it('warns a subscription asking for profile.expiring ahead of the validUntil, signed', async () => {
    // Its own endpoint: the other tests count what theirs receive.
    const warnedAgent = await agentEndpoint();
    try {
      const now = new Date().toISOString();
      const subscribed = await subscribe('expiring-p9', {
        url: `${warnedAgent.server.url}/hooks`,
        products: ['P-9'],
        contexts: ['EU:consumer:agent'],
        events: ['profile.expiring'],
      });
      expect(subscribed.statusCode).toBe(201);
      // Stock observed now and good for two minutes: within the lead (5 minutes) at once.
      const facts = productDocument('P-9', {
        price: {
          amount: 1000,
          currency: 'EUR',
          observedAt: now,
          ttlSeconds: 3_600,
          source: 'pricing',
        },
        inventory: { status: 'in_stock', observedAt: now, ttlSeconds: 120, source: 'wms' },
      });
      expect((await putProduct(app, 'P-9', facts)).statusCode).toBeLessThan(300);
      await warnedAgent.next(() => true);
      const [first, ...rest] = warnedAgent.events;
      const event = first?.event as unknown as ProfileExpiringEvent;
      const request = first?.request as RecordedRequest;
      expect(event.type).toBe('profile.expiring');
      expect(event.data).toMatchObject({ productId: 'P-9', context: 'EU:consumer:agent' });
      expect(Date.parse(event.data.validUntil)).toBe(Date.parse(now) + 120_000);
      expect(event.data.expiring.length).toBeGreaterThan(0);
      expect(request.headers['webhook-id']).toBe(event.id);
      const signature = request.headers['merchant-signature'] as string;
      expect(verifyWebhookSignature(SECRET, signature, request.body.toString('utf8'))).toBe(true);
      // It asked for warnings only: whatever else came is the same warning again, never a
      // decision.changed.
      expect(rest.every(({ event: e }) => e.id === event.id)).toBe(true);
    } finally {
      await warnedAgent.server.close();
    }
  });

  it('stops sending once the subscription is deleted', async () => {
    await subscribe('short-lived', { url: `${other.url}/hooks`, products: ['P-3'] });
    expect((await putProduct(app, 'P-3')).statusCode).toBeLessThan(300);
    await waitFor('the first P-3 event', async () =>
      other.requests.length > 0 ? true : undefined,
    );
    // The first change can send more than one event (one per context), and the rest may still
    // be on their way: count only once everything recorded so far has been sent.
    const changes = new DecisionChangeStore(ctx.redis, ctx.config.KEY_PREFIX, TENANT);
    const outbox = new OutboxStore(ctx.redis, ctx.config.KEY_PREFIX, TENANT);
    const settled = async () => {
      const [backlog, counts] = await Promise.all([
        changes.backlog(Date.now()),
        outbox.countByStatus(),
      ]);
      return backlog.entries === 0 && counts.pending === 0 ? true : undefined;
    };
    await waitFor('the first change projected and sent', settled);
    const before = other.requests.length;
    const keysOf = async (subscription: string) => {
      const fields = await Promise.all(
        ['next', 'sending', 'begun', 'seq'].map((part) =>
          ctx.redis.hkeys(`${ctx.config.KEY_PREFIX}:{${TENANT}}:decision-events:${part}`),
        ),
      );
      return fields.flat().filter((field) => field.startsWith(`${subscription} `));
    };
    expect(await keysOf('short-lived')).not.toEqual([]);
    const removed = await app.inject({
      method: 'DELETE',
      url: '/v1/subscriptions/short-lived',
      headers: TENANT_AUTH,
    });
    expect(removed.statusCode).toBe(204);
    // A change after the delete; its evaluation is awaited through the audit.
    expect(
      (await putProduct(app, 'P-3', productDocument('P-3', { status: 'inactive' }))).statusCode,
    ).toBeLessThan(300);
    await waitFor('the P-3 withdrawal in the audit', async () => {
      const audit = await app.inject({
        method: 'GET',
        url: '/v1/products/P-3/audit?limit=10',
        headers: TENANT_AUTH,
      });
      const entries = (audit.json() as { entries: unknown[] }).entries;
      return entries.length >= 2 ? true : undefined;
    });
    // Every recorded change projected, and nothing of the tenant's left to send.
    await waitFor('the change stream projected and the outbox idle', settled);
    expect(other.requests.length).toBe(before);
    // Its per-key state (sequence numbers and the rest) went with it.
    expect(await keysOf('short-lived')).toEqual([]);
  });
});
