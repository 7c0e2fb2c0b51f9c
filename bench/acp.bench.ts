/**
 * bench/acp: checkout flows per second through the ACP checkout sessions (POST /checkout_sessions,
 * then POST /checkout_sessions/{id}/complete with a delegated payment token, answered once the
 * capture completed the checkout) against their floor, the same purchase through the checkout
 * API (POST /v1/checkouts, /items, /prepare, /complete, then GET until completed), in the same
 * run, on the same Redis, the same process (ingress, checkout workers and loopback providers),
 * the same product and the same number of flows in flight. Both wait for completion the same
 * way: by reading the checkout every 25 ms (the ACP route inside the request, the floor from the
 * client). The vault token is written straight to the vault store, as delegate_payment would
 * (not measured). The two take turns, round by round, so load on the box hits both alike; each
 * figure is the median of its rounds, the ratio the median of the rounds' ratios. A flow counts
 * only when it ended completed.
 *
 *   npm run bench:acp [-- --flows 200 --in-flight 16 --rounds 4]
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { acpFeature } from '../src/app/acp.js';
import { checkoutFeature } from '../src/app/checkout.js';
import { startCheckoutSchedulers, startCheckoutWorkers } from '../src/app/checkout-runtime.js';
import { createAppContext } from '../src/app-context.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { demoCatalog } from '../src/demo/demo-catalog.js';
import { toInstant } from '../src/domain/index.js';
import { ACP_VERSION } from '../src/http/acp/acp-guard.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { startSandboxProviders } from '../src/providers/sandbox/index.js';
import { closeInPhases } from '../src/runtime/shutdown.js';
import { CatalogStore } from '../src/store/catalog-store.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import { VaultTokenStore } from '../src/store/vault-token-store.js';
import { median } from './support/measure.js';

const TENANT = 'bench';
const TOKEN = 'bench-token-0123456789abcdef';
/** Ready in the EU in the demo catalog: fresh price and stock, every policy domain covered. */
const PRODUCT = 'JACKET-RAIN-7';
const POLL_MS = 25;

const { values } = parseArgs({
  options: {
    flows: { type: 'string' },
    'in-flight': { type: 'string' },
    rounds: { type: 'string' },
  },
});
const FLOWS = Number(values.flows ?? 200);
const IN_FLIGHT = Number(values['in-flight'] ?? 16);
const ROUNDS = Number(values.rounds ?? 4);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const privateRedis = process.env.REDIS_URL
    ? undefined
    : await startPrivateRedis({ persistence: 'none' });
  const redisUrl = process.env.REDIS_URL ?? (privateRedis?.url as string);
  const sandbox = await startSandboxProviders();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    QUEUE_PREFIX: `{bench-${randomUUID().slice(0, 8)}}`,
    AUTH_TOKENS: `${TENANT}:${TOKEN}`,
    RESERVATION_URL: sandbox.reservation.url,
    PAYMENT_URL: sandbox.payment.url,
    RECEIPT_URL: sandbox.receipt.url,
    DELIVERY_CONCURRENCY: String(IN_FLIGHT * 2),
    PROVIDER_CONNECTIONS: String(IN_FLIGHT * 2),
    OUTBOX_DRAIN_INTERVAL_MS: '20',
  });
  const ctx = createAppContext(config, createLogger({ level: 'silent' }), systemClock);
  const catalog = new CatalogStore(ctx.redis, config.KEY_PREFIX, TENANT);
  const demo = demoCatalog(Date.now());
  await catalog.putProducts(demo.products);
  for (const policy of demo.policies) await catalog.putPolicy(policy);
  const vault = new VaultTokenStore(ctx.redis, config.KEY_PREFIX, TENANT);
  const endpoints = {
    reservation: sandbox.reservation.url,
    payment: sandbox.payment.url,
    receipt: sandbox.receipt.url,
  };
  const running = [
    ...(await startCheckoutWorkers(ctx, endpoints)),
    ...(await startCheckoutSchedulers(ctx)),
  ];
  const app = await buildApp(ctx, [checkoutFeature, acpFeature]);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: IN_FLIGHT * 2 });

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, acp = false) => {
    const response = await pool.request({
      path,
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
        ...(acp ? { 'api-version': ACP_VERSION } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300)
      throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text);
  };

  const merchantId = config.MERCHANT_ID ?? TENANT;
  const allowance = (checkoutId: string) => ({
    reason: 'one_time' as const,
    max_amount: 1_000_000,
    currency: 'eur',
    checkout_session_id: checkoutId,
    merchant_id: merchantId,
    expires_at: toInstant(Date.now() + 3_600_000),
  });

  /** The purchase through the checkout API: true when it ended completed. */
  const apiFlow = async (): Promise<boolean> => {
    const created = await call('POST', '/v1/checkouts', {
      context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
    });
    const id = created.checkout.id as string;
    await call('POST', `/v1/checkouts/${id}/items`, { productId: PRODUCT, quantity: 1 });
    await call('POST', `/v1/checkouts/${id}/prepare`, {});
    await call('POST', `/v1/checkouts/${id}/complete`, {
      allowance: allowance(id),
      actor: { actorId: 'bench-agent', actorType: 'agent' },
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const checkout = await call('GET', `/v1/checkouts/${id}`);
      if (checkout.state === 'completed') return true;
      if (checkout.state !== 'completing') return false;
      await pause(POLL_MS);
    }
    return false;
  };

  /** The purchase through the ACP sessions: true when it ended completed. */
  const acpFlow = async (): Promise<boolean> => {
    const session = await call(
      'POST',
      '/checkout_sessions',
      {
        currency: 'eur',
        capabilities: {},
        line_items: [{ id: PRODUCT }],
        fulfillment_details: {
          address: {
            name: 'Bench',
            line_one: 'Main St 1',
            city: 'Berlin',
            state: 'BE',
            country: 'DE',
            postal_code: '10117',
          },
        },
      },
      true,
    );
    const tokenId = `vt_${randomUUID().replaceAll('-', '')}`;
    await vault.save(
      {
        id: tokenId,
        allowance: allowance(session.id),
        instrument: { type: 'card', brand: 'visa', last4: '4242' },
        providerRef: `pm_${tokenId}`,
        createdAt: toInstant(Date.now()),
        metadata: {},
      },
      3600,
    );
    const done = await call(
      'POST',
      `/checkout_sessions/${session.id}/complete`,
      {
        payment_data: {
          handler_id: 'vault_token',
          instrument: { type: 'card', credential: { type: 'vault_token', token: tokenId } },
        },
      },
      true,
    );
    return done.status === 'completed';
  };

  const round = async (flow: () => Promise<boolean>, count: number) => {
    let next = 0;
    let completed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < count) {
          next++;
          if (await flow()) completed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: completed / seconds, failed: count - completed };
  };

  try {
    // Warm-up of both paths (JIT, connections, queues), discarded.
    await round(apiFlow, IN_FLIGHT * 2);
    await round(acpFlow, IN_FLIGHT * 2);
    const api: number[] = [];
    const acp: number[] = [];
    const ratios: number[] = [];
    let failed = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const a = await round(apiFlow, FLOWS);
      const b = await round(acpFlow, FLOWS);
      api.push(a.perSecond);
      acp.push(b.perSecond);
      ratios.push(b.perSecond / a.perSecond);
      failed += a.failed + b.failed;
      console.log(
        `round ${i + 1}: checkout API ${a.perSecond.toFixed(1)}/s, ACP sessions ${b.perSecond.toFixed(1)}/s`,
      );
    }
    console.log(
      `bench:acp — ${FLOWS} create→complete flows per round, ${IN_FLIGHT} in flight, ${ROUNDS} rounds`,
    );
    console.log(`  checkout API (floor): ${median(api).toFixed(1)} flows/s`);
    console.log(`  ACP checkout sessions: ${median(acp).toFixed(1)} flows/s`);
    console.log(`  ratio ACP / checkout API: ${median(ratios).toFixed(2)}`);
    console.log(`  flows that did not complete: ${failed}`);
    if (failed > 0) process.exitCode = 1;
  } finally {
    await pool.close();
    await app.close();
    await closeInPhases(running);
    await ctx.close();
    await sandbox.close();
    await privateRedis?.stop();
  }
}

await main();
