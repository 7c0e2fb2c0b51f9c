import { readFileSync } from 'node:fs';
import {
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import type { AppContext } from '../../src/app-context.js';
import { type Clock, manualClock } from '../../src/clock.js';
import { FactsDocumentSchema, toMs } from '../../src/domain/index.js';
import type { Closable } from '../../src/feature.js';
import { a2aFeature } from '../../src/features/a2a.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { createTestContext } from './test-context.js';

export const ACME_TOKEN = 'acme-token-0000000000000001';
export const OTHER_TOKEN = 'other-token-000000000000002';

/** The Travel Backpack facts document (test/fixtures), parsed as the ingest would. */
export function travelBackpack() {
  const raw = JSON.parse(
    readFileSync(new URL('../fixtures/travel-backpack.json', import.meta.url), 'utf8'),
  );
  return FactsDocumentSchema.parse(raw);
}

export interface A2aHarness {
  ctx: AppContext;
  app: App;
  clock: Clock;
  /** http://127.0.0.1:<port> once listening. */
  baseUrl: string;
  workers: Closable[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Start the intent worker (default true); off to observe queued work untouched. */
  workers?: boolean;
  /** Listen on a real socket (default true); off for app.inject only. */
  listen?: boolean;
}

/**
 * The A2A feature on a real fastify server and the run's Redis, tenant `acme` seeded with the
 * Travel Backpack, the clock at the scenario's now (price fresh, inventory stale).
 */
export async function startA2aHarness(options: HarnessOptions = {}): Promise<A2aHarness> {
  const doc = travelBackpack();
  const clock = manualClock(toMs(doc.now));
  const ctx = createTestContext(
    {
      AUTH_TOKENS: `acme:${ACME_TOKEN},other:${OTHER_TOKEN}`,
      A2A_BLOCKING_TIMEOUT_MS: '10000',
      ...options.env,
    },
    clock,
  );
  const catalog = new CatalogStore(ctx.redis, ctx.config.KEY_PREFIX, 'acme');
  await catalog.putProducts(doc.products);
  for (const policy of doc.policies) await catalog.putPolicy(policy);

  const app = await buildApp(ctx, [a2aFeature]);
  const workers = options.workers === false ? [] : ((await a2aFeature.startWorkers?.(ctx)) ?? []);
  let baseUrl = '';
  if (options.listen !== false) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    baseUrl = `http://127.0.0.1:${address.port}`;
  }
  return {
    ctx,
    app,
    clock,
    baseUrl,
    workers,
    async close() {
      await app.close();
      await Promise.allSettled(workers.map((worker) => worker.close()));
      await ctx.close();
    },
  };
}

/** fetch with the tenant's bearer token, the way the SDK's authentication handler adds it. */
export function bearerFetch(token: string): typeof fetch {
  return createAuthenticatingFetchWithRetry(fetch, {
    headers: async () => ({ Authorization: `Bearer ${token}` }),
    shouldRetryWithHeaders: async () => undefined,
  });
}

/** The SDK's ClientFactory with the JSON-RPC transport (v1.0, and v0.3 when the card says so). */
export function clientFactory(token: string): ClientFactory {
  const fetchImpl = bearerFetch(token);
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat: { enabled: true } })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl, legacyCompat: { enabled: true } }),
    }),
  );
}

/** A JSON-RPC response as a test reads it: results are walked by path, so they stay loose. */
export interface RpcReply {
  jsonrpc: string;
  id: string | number | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read deep into results and assert on them
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

/** A JSON-RPC POST to the endpoint, as raw as a hand-written agent would send it. */
export async function postRpc(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: RpcReply }> {
  const response = await fetch(`${baseUrl}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
}
