import { randomUUID } from 'node:crypto';
import { checkoutFeature } from '../../src/app/checkout.js';
import {
  createCheckoutService,
  startCheckoutSchedulers,
  startCheckoutWorkers,
} from '../../src/app/checkout-runtime.js';
import { type AppContext, createAppContext } from '../../src/app-context.js';
import { type Clock, systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { createLogger } from '../../src/logger.js';
import {
  type FaultOptions,
  type SandboxProviders,
  type SandboxWebhookReceiver,
  startSandboxProviders,
  startSandboxWebhookReceiver,
} from '../../src/providers/sandbox/index.js';
import { type CheckoutQueues, checkoutQueues } from '../../src/queues/outbox-queues.js';
import type { Closable } from '../../src/runtime/closable.js';
import { closeInPhases } from '../../src/runtime/shutdown.js';
import type { CheckoutService } from '../../src/services/checkout/checkout-service.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { WebhookSubscriberStore } from '../../src/store/webhook-subscriber-store.js';
import { coveringPolicies, readyBackpack } from './checkout-fixtures.js';
import { testRedisEnv, uniquePrefix } from './redis.js';

export const TENANT = 'acme';
export const TOKEN = 'acme-token-0000000000000001';
export const OTHER_TENANT = 'globex';
export const OTHER_TOKEN = 'globex-token-000000000000001';
export const WEBHOOK_SECRET = 'test-webhook-secret-0000000001';

export interface CheckoutHarness {
  ctx: AppContext;
  app: App;
  service: CheckoutService;
  queues: CheckoutQueues;
  sandbox: SandboxProviders;
  webhook: SandboxWebhookReceiver;
  env: Record<string, string>;
  outbox(tenant?: string): OutboxStore;
  /** Starts the delivery, drain and reconcile workers and the schedules (not started by default when `workers: false`). */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  faults?: FaultOptions;
  webhookFaults?: FaultOptions;
  env?: Record<string, string>;
  clock?: Clock;
  /** @defaultValue true */
  workers?: boolean;
}

/**
 * A whole checkout deployment for one test file: sandbox providers and a webhook receiver on
 * loopback, the real Redis under a unique key and queue prefix, the checkout workers with small
 * timeouts and backoffs, and the HTTP ingress for app.inject().
 */
export async function startCheckoutHarness(options: HarnessOptions = {}): Promise<CheckoutHarness> {
  const sandbox = await startSandboxProviders({ faults: options.faults });
  const webhook = await startSandboxWebhookReceiver({
    secret: WEBHOOK_SECRET,
    faults: options.webhookFaults,
  });
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...testRedisEnv(),
    KEY_PREFIX: uniquePrefix('co'),
    QUEUE_PREFIX: `{t-${randomUUID().slice(0, 8)}}`,
    AUTH_TOKENS: `${TENANT}:${TOKEN},${OTHER_TENANT}:${OTHER_TOKEN}`,
    RESERVATION_URL: sandbox.reservation.url,
    PAYMENT_URL: sandbox.payment.url,
    RECEIPT_URL: sandbox.receipt.url,
    WEBHOOK_SECRET,
    PROVIDER_CONNECT_TIMEOUT_MS: '500',
    PROVIDER_REQUEST_TIMEOUT_MS: '300',
    OUTBOX_BACKOFF_BASE_MS: '10',
    OUTBOX_BACKOFF_MAX_MS: '100',
    OUTBOX_DRAIN_INTERVAL_MS: '50',
    OUTBOX_MAX_ATTEMPTS: '8',
    DELIVERY_LOCK_MS: '2000',
    BREAKER_FAILURE_THRESHOLD: '1000',
    BREAKER_OPEN_MS: '200',
    ...options.env,
  };
  const config = loadConfig(env);
  const ctx = createAppContext(
    config,
    createLogger({ level: 'silent' }),
    options.clock ?? systemClock,
  );
  const queues = checkoutQueues(ctx.producer, config);
  const service = createCheckoutService(ctx, queues);
  const app = await buildApp(ctx, [checkoutFeature]);
  await app.ready();

  const nowMs = ctx.clock.nowMs();
  for (const tenant of [TENANT, OTHER_TENANT]) {
    const catalog = new CatalogStore(ctx.redis, config.KEY_PREFIX, tenant);
    await catalog.putProducts([readyBackpack(nowMs)]);
    for (const policy of coveringPolicies()) await catalog.putPolicy(policy);
  }
  await new WebhookSubscriberStore(ctx.redis, config.KEY_PREFIX, TENANT).put({
    id: 'agent-hooks',
    url: `${webhook.url}/hooks`,
    events: ['order.completed'],
  });

  let running: Closable[] = [];
  const harness: CheckoutHarness = {
    ctx,
    app,
    service,
    queues,
    sandbox,
    webhook,
    env,
    outbox: (tenant = TENANT) => new OutboxStore(ctx.redis, config.KEY_PREFIX, tenant),
    async startWorkers() {
      const endpoints = {
        reservation: sandbox.reservation.url,
        payment: sandbox.payment.url,
        receipt: sandbox.receipt.url,
      };
      running = [
        ...(await startCheckoutWorkers(ctx, endpoints)),
        ...(await startCheckoutSchedulers(ctx)),
      ];
    },
    async stopWorkers() {
      await closeInPhases(running);
      running = [];
    },
    async close() {
      await harness.stopWorkers();
      await app.close();
      await queues.close();
      await ctx.close();
      await sandbox.close();
      await webhook.close();
    },
  };
  if (options.workers !== false) await harness.startWorkers();
  return harness;
}
