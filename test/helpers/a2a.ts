import { readFileSync } from 'node:fs';
import {
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { a2aFeature } from '../../src/app/a2a.js';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { startCheckoutSchedulers, startCheckoutWorkers } from '../../src/app/checkout-runtime.js';
import type { Feature } from '../../src/app/feature.js';
import type { AppContext } from '../../src/app-context.js';
import { type Clock, manualClock, systemClock } from '../../src/clock.js';
import { FactsDocumentSchema, toMs } from '../../src/domain/index.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { type SandboxProviders, startSandboxProviders } from '../../src/providers/sandbox/index.js';
import type { Closable } from '../../src/runtime/closable.js';
import { closeInPhases } from '../../src/runtime/shutdown.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { coveringPolicies, readyBackpack } from './checkout-fixtures.js';
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
  /** The loopback payment, reservation and receipt providers, when checkout runs. */
  sandbox?: SandboxProviders;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Start the intent worker (default true); off to observe queued work untouched. */
  workers?: boolean;
  /** Listen on a real socket (default true); off for app.inject only. */
  listen?: boolean;
  /**
   * `scenario` (default): the Travel Backpack as in DESIGN.md, the clock stopped at its now
   * (inventory stale). `ready`: a backpack with every fact fresh and covering policies, the
   * system clock, and checkout running end to end against loopback sandbox providers.
   */
  catalog?: 'scenario' | 'ready';
  /** The features whose routes are served (default: A2A only); the harness is shared by MCP. */
  features?: readonly Feature[];
}

/**
 * The A2A feature on a real fastify server and the run's Redis, tenant `acme` seeded with the
 * Travel Backpack, the clock at the scenario's now (price fresh, inventory stale).
 */
export async function startA2aHarness(options: HarnessOptions = {}): Promise<A2aHarness> {
  const doc = travelBackpack();
  const ready = options.catalog === 'ready';
  const clock = ready ? systemClock : manualClock(toMs(doc.now));
  const sandbox = ready ? await startSandboxProviders() : undefined;
  const ctx = createTestContext(
    {
      AUTH_TOKENS: `acme:${ACME_TOKEN},other:${OTHER_TOKEN}`,
      A2A_BLOCKING_TIMEOUT_MS: '10000',
      OUTBOX_DRAIN_INTERVAL_MS: '50',
      ...options.env,
    },
    clock,
  );
  const catalog = new CatalogStore(ctx.redis, ctx.config.KEY_PREFIX, 'acme');
  await catalog.putProducts(ready ? [readyBackpack(clock.nowMs())] : doc.products);
  for (const policy of ready ? coveringPolicies() : doc.policies) await catalog.putPolicy(policy);

  const app = await buildApp(ctx, options.features ?? [a2aFeature]);
  const workers: Closable[] = [];
  if (options.workers !== false) {
    workers.push(...((await a2aFeature.startWorkers?.(ctx)) ?? []));
    if (sandbox !== undefined) {
      const endpoints = {
        reservation: sandbox.reservation.url,
        payment: sandbox.payment.url,
        receipt: sandbox.receipt.url,
      };
      workers.push(
        ...(await startCheckoutWorkers(ctx, endpoints)),
        ...(await startCheckoutSchedulers(ctx)),
      );
    }
  }
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
    sandbox,
    async close() {
      await app.close();
      // Workers close before the queues and clients they use, as at shutdown.
      await closeInPhases(workers);
      // The catalog feature owns its runtime in a service; here the harness stands in for it.
      await catalogRuntime(ctx).close();
      await ctx.close();
      await sandbox?.close();
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

/** The Travel Backpack's return terms for a German consumer: the request most A2A tests send. */
export const RETURN_TERMS = Object.freeze({
  action: 'get_return_terms',
  productId: 'BAG-TRAVEL-42',
  country: 'DE',
  buyerType: 'consumer',
});
