import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type McpError,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productProfileUri } from '../../src/adapters/mcp/resources.js';
import { startApp } from '../../src/app/start-app.js';
import type { AppContext } from '../../src/app-context.js';
import type { App } from '../../src/http/types.js';
import { DecisionChangeStore } from '../../src/store/decision-change-store.js';
import { OTHER_TENANT, OTHER_TOKEN, TENANT, TENANT_TOKEN } from '../helpers/catalog-app-context.js';
import { productDocument } from '../helpers/catalog-facts.js';
import { postProductBatch, putProduct } from '../helpers/catalog-requests.js';
import { createTestContext } from '../helpers/test-context.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * MCP resource subscriptions (issue 18): an official SDK client keeps a session, subscribes to a
 * product profile, and hears notifications/resources/updated on its GET stream when the
 * product's decisions change, also when its requests and its stream reach different replicas.
 */
const EU = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
const ENV = {
  AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN},${OTHER_TENANT}:${OTHER_TOKEN}`,
  EVALUATION_COALESCE_MS: '10',
  STALENESS_SWEEP_EVERY_MS: '200',
  EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent',
};

/** An SDK client whose GET stream goes to `streamBase` and every POST and DELETE to `base`. */
async function sessionClient(base: string, token: string, streamBase = base) {
  const updated: string[] = [];
  const waiters: { uri: string; resolve: () => void }[] = [];
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: (input, init) => {
      const url = new URL(String(input));
      if (init?.method === 'GET') url.host = new URL(streamBase).host;
      return fetch(url, init);
    },
  });
  const client = new Client({ name: 'acw-watch-test', version: '1.0.0' });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updated.push(notification.params.uri);
    for (const waiter of waiters.filter((w) => w.uri === notification.params.uri)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  await client.connect(transport);
  return {
    client,
    transport,
    updated,
    /** Resolves at the next notification for `uri` (one that has already come does not count). */
    nextUpdate(uri: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no resources/updated for ${uri}`)),
          15_000,
        );
        waiters.push({
          uri,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** Resolves once a replica holds the session's GET stream and hears the tenant's changes. */
async function streamOpen(ctx: AppContext, sessionId: string) {
  await waitFor('the session stream open', async () =>
    (await ctx.redis.hexists(
      `${ctx.config.KEY_PREFIX}:{${TENANT}}:watch-sessions:${sessionId}`,
      'stream',
    )) === 1
      ? true
      : undefined,
  );
}

describe('MCP resource subscriptions with the official SDK client', () => {
  let ctx: AppContext;
  let app: App;
  let replicaCtx: AppContext;
  let replica: App;
  let base: string;
  let replicaBase: string;

  beforeAll(async () => {
    ctx = createTestContext(ENV);
    app = await startApp(ctx, 'all');
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // A second ingress replica over the same Redis and keys: no workers of its own.
    replicaCtx = createTestContext({
      ...ENV,
      KEY_PREFIX: ctx.config.KEY_PREFIX,
      QUEUE_PREFIX: ctx.config.QUEUE_PREFIX,
    });
    replica = await startApp(replicaCtx, 'ingress');
    await replica.listen({ host: '127.0.0.1', port: 0 });
    replicaBase = `http://127.0.0.1:${(replica.server.address() as { port: number }).port}`;
    const seeded = await postProductBatch(app, {
      products: ['W-1', 'W-2', 'W-3'].map((id) => productDocument(id)),
    });
    expect(seeded.statusCode).toBeLessThan(300);
    await waitFor('the seeded products evaluated', async () => {
      const read = await app.inject({
        method: 'GET',
        url: '/v1/products/W-3/profile?region=EU',
        headers: { authorization: `Bearer ${TENANT_TOKEN}` },
      });
      return (read.json() as { source?: string }).source === 'stored' ? true : undefined;
    });
  });
  afterAll(async () => {
    await replica?.close();
    await app?.close();
    await replicaCtx?.close();
    await ctx?.close();
  });

  it('tells a subscribed session when the profile changes, the stream held by another replica', async () => {
    const watcher = await sessionClient(base, TENANT_TOKEN, replicaBase);
    try {
      const sessionId = watcher.transport.sessionId;
      expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(watcher.client.getServerCapabilities()?.resources?.subscribe).toBe(true);
      await streamOpen(ctx, sessionId as string);

      const uri = productProfileUri('W-1', EU);
      await watcher.client.subscribeResource({ uri });
      const heard = watcher.nextUpdate(uri);
      const withdrawn = await putProduct(
        app,
        'W-1',
        productDocument('W-1', { status: 'inactive' }),
      );
      expect(withdrawn.statusCode).toBeLessThan(300);
      await heard;
      // What it then reads is the changed decision.
      const read = await watcher.client.readResource({ uri });
      const content = read.contents[0] as { text: string };
      const profile = JSON.parse(content.text) as {
        decisions: { action: string; result: string }[];
      };
      expect(profile.decisions.find((d) => d.action === 'discover')?.result).toBe('blocked');
      expect(watcher.updated.every((u) => u === uri)).toBe(true);
    } finally {
      await watcher.client.close();
    }
  });

  it('stops telling once unsubscribed, and tells only what the session watches', async () => {
    const watcher = await sessionClient(base, TENANT_TOKEN);
    try {
      await streamOpen(ctx, watcher.transport.sessionId as string);
      const w2 = productProfileUri('W-2', EU);
      const w3 = productProfileUri('W-3', EU);
      await watcher.client.subscribeResource({ uri: w2 });
      await watcher.client.subscribeResource({ uri: w3 });
      await watcher.client.unsubscribeResource({ uri: w2 });
      // W-2 changes first, then W-3; the projector tells changes in the order it reads them, so
      // once W-3's notification is here, W-2's would have come before it.
      expect(
        (await putProduct(app, 'W-2', productDocument('W-2', { status: 'inactive' }))).statusCode,
      ).toBeLessThan(300);
      await waitFor('the W-2 withdrawal in the audit', async () => {
        const audit = await app.inject({
          method: 'GET',
          url: '/v1/products/W-2/audit?limit=10',
          headers: { authorization: `Bearer ${TENANT_TOKEN}` },
        });
        return (audit.json() as { entries: unknown[] }).entries.length >= 2 ? true : undefined;
      });
      const heard = watcher.nextUpdate(w3);
      expect(
        (await putProduct(app, 'W-3', productDocument('W-3', { status: 'inactive' }))).statusCode,
      ).toBeLessThan(300);
      await heard;
      expect(watcher.updated).toEqual([w3]);
    } finally {
      await watcher.client.close();
    }
  });

  it('refuses what it cannot watch with the protocol error', async () => {
    const watcher = await sessionClient(base, TENANT_TOKEN);
    try {
      const refused = async (uri: string) =>
        watcher.client.subscribeResource({ uri }).then(
          () => undefined,
          (error: unknown) => error as McpError,
        );
      expect((await refused(productProfileUri('NOPE', EU)))?.code).toBe(-32002);
      expect((await refused('feed://agent'))?.code).toBe(-32602);
      expect((await refused('product://W-1/profile?context=MARS'))?.code).toBe(-32602);
    } finally {
      await watcher.client.close();
    }
  });

  it('needs a session to subscribe; an unknown, closed or other tenant’s session is 404', async () => {
    const post = (headers: Record<string, string>, body: object, token = TENANT_TOKEN) =>
      fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const subscribe = {
      jsonrpc: '2.0',
      id: 1,
      method: 'resources/subscribe',
      params: { uri: productProfileUri('W-1', EU) },
    };
    const stateless = await post({}, subscribe);
    expect(stateless.status).toBe(200);
    expect(((await stateless.json()) as { error: { code: number } }).error.code).toBe(-32600);

    const unknown = await post({ 'mcp-session-id': 'no-such-session' }, subscribe);
    expect(unknown.status).toBe(404);

    const watcher = await sessionClient(base, TENANT_TOKEN);
    const sessionId = watcher.transport.sessionId as string;
    expect((await post({ 'mcp-session-id': sessionId }, subscribe)).status).toBe(200);
    const foreign = await post({ 'mcp-session-id': sessionId }, subscribe, OTHER_TOKEN);
    expect(foreign.status).toBe(404);

    await watcher.transport.terminateSession();
    await watcher.client.close();
    const closed = await post({ 'mcp-session-id': sessionId }, subscribe);
    expect(closed.status).toBe(404);
    const changes = new DecisionChangeStore(ctx.redis, ctx.config.KEY_PREFIX, OTHER_TENANT);
    expect(await changes.active(Date.now())).toBe(false);
  });

  it('answers GET without a session 405 and DELETE without one 400', async () => {
    const headers = { authorization: `Bearer ${TENANT_TOKEN}`, accept: 'text/event-stream' };
    const get = await fetch(new URL('/mcp', base), { headers });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await fetch(new URL('/mcp', base), { method: 'DELETE', headers });
    expect(del.status).toBe(400);
  });

  it('records changes only while a session watches something', async () => {
    const changes = new DecisionChangeStore(ctx.redis, ctx.config.KEY_PREFIX, TENANT);
    const watcher = await sessionClient(base, TENANT_TOKEN);
    const uri = productProfileUri('W-1', EU);
    try {
      await watcher.client.subscribeResource({ uri });
      expect(await changes.active(Date.now())).toBe(true);
      await watcher.client.unsubscribeResource({ uri });
      // Other tests' sessions may still watch: this session's own entry is what is checked.
      const live = await ctx.redis.zscore(
        `${ctx.config.KEY_PREFIX}:{${TENANT}}:watch-sessions:live`,
        watcher.transport.sessionId as string,
      );
      expect(live).toBeNull();
    } finally {
      await watcher.client.close();
    }
  });
});
