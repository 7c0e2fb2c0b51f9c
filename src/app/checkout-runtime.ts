import { type DeliverDeps, deliverEffectJob } from '../../jobs/deliver-effect.job.js';
import { drainOutboxJob } from '../../jobs/drain-outbox.job.js';
import { pruneOutboxJob } from '../../jobs/prune-outbox.job.js';
import { reconcilePaymentsJob } from '../../jobs/reconcile-payments.job.js';
import { acpOrderEventSink } from '../adapters/acp/order-event.js';
import type { AppContext } from '../app-context.js';
import type { Config } from '../config.js';
import { PROVIDERS } from '../domain/index.js';
import { retryDelayMs } from '../providers/backoff.js';
import { ProviderClient, type ProviderEndpoints } from '../providers/provider-client.js';
import {
  deliveryJobOptions,
  deliveryWorkerSettings,
  handedOffJobOptions,
} from '../queues/delivery-options.js';
import { enqueue, startJobWorker, workerClosable } from '../queues/job-shell.js';
import {
  type CheckoutQueues,
  checkoutQueues,
  deliveryQueueName,
  jobsExist,
  nudgeOutboxDrain,
} from '../queues/outbox-queues.js';
import type { Closable } from '../runtime/closable.js';
import { CheckoutService } from '../services/checkout/checkout-service.js';
import { EffectSettlement } from '../services/checkout/effect-settlement.js';
import type { OrderEventSink } from '../services/checkout/order-events.js';
import { BreakerRegistry } from '../services/outbox/breaker-registry.js';
import { EffectDelivery } from '../services/outbox/effect-delivery.js';
import { decisionEventGate } from '../services/subscriptions/decision-event-gate.js';

/**
 * Wiring of the checkout feature: the service for request paths, the queues, and the workers
 * that drain the outbox, deliver effects and reconcile payments. Tests and the crash-test worker
 * process start exactly this.
 */

export function createCheckoutService(ctx: AppContext, queues?: Pick<CheckoutQueues, 'drain'>) {
  const { config } = ctx;
  return new CheckoutService({
    redis: ctx.producer,
    prefix: config.KEY_PREFIX,
    nowMs: () => ctx.clock.nowMs(),
    evaluationOptions: { requiredPolicyDomains: config.REQUIRED_POLICY_DOMAINS },
    idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    idempotencyClaimTtlMs: config.IDEMPOTENCY_CLAIM_TTL_MS,
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    merchantIdOf: (tenant) => config.MERCHANT_ID ?? tenant,
    nudge:
      queues === undefined
        ? undefined
        : async (tenant) => {
            try {
              await nudgeOutboxDrain(queues.drain, tenant);
            } catch (error) {
              // The effects are committed; the scheduled drain picks them up anyway.
              ctx.logger.warn({ err: error, tenant }, 'could not nudge the outbox drain');
            }
          },
  });
}

/** Where order events go: the ACP platform when ACP_WEBHOOK_URL is set (config requires the rest). */
function orderEventSinksOf(config: Config): OrderEventSink[] {
  const url = config.ACP_WEBHOOK_URL;
  const permalinkTemplate = config.ACP_ORDER_URL_TEMPLATE;
  if (url === undefined || permalinkTemplate === undefined) return [];
  return [acpOrderEventSink({ url, permalinkTemplate })];
}

/**
 * Observes a provider call's duration. The labelled series are kept per provider and outcome:
 * every delivered effect is one call, and a series lookup by label values is not free.
 */
function observeProviderCall(ctx: AppContext) {
  const series = new Map<string, { observe(seconds: number): void }>();
  return (provider: string, outcome: string, seconds: number) => {
    const key = `${provider}\n${outcome}`;
    let found = series.get(key);
    if (found === undefined) {
      found = ctx.metrics.providerCallDuration.labels(provider, outcome);
      series.set(key, found);
    }
    found.observe(seconds);
  };
}

export async function startCheckoutWorkers(
  ctx: AppContext,
  endpoints: ProviderEndpoints,
): Promise<Closable[]> {
  const { config, logger } = ctx;
  const nowMs = () => ctx.clock.nowMs();
  const queues = checkoutQueues(ctx.redis, config);
  const client = new ProviderClient({
    endpoints,
    connectTimeoutMs: config.PROVIDER_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: config.PROVIDER_REQUEST_TIMEOUT_MS,
    connections: config.PROVIDER_CONNECTIONS,
    webhookSecret: config.WEBHOOK_SECRET,
    acpWebhookSecret: config.ACP_WEBHOOK_SECRET,
    nowMs,
  });
  const settlement = new EffectSettlement({
    redis: ctx.redis,
    prefix: config.KEY_PREFIX,
    nowMs,
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    exhaustedRetryMs: config.OUTBOX_EXHAUSTED_RETRY_MS,
    orderEvents: orderEventSinksOf(config),
  });
  const delivery = new EffectDelivery({
    redis: ctx.redis,
    prefix: config.KEY_PREFIX,
    nowMs,
    client,
    breakers: new BreakerRegistry({
      failureThreshold: config.BREAKER_FAILURE_THRESHOLD,
      openMs: config.BREAKER_OPEN_MS,
      nowMs,
    }),
    settlement,
    defaultThrottleMs: Math.min(1_000, config.OUTBOX_RETRY_AFTER_MAX_MS),
    retryAfterMaxMs: config.OUTBOX_RETRY_AFTER_MAX_MS,
    observeCall: observeProviderCall(ctx),
    observeExhausted: (provider, kind, handling) =>
      ctx.metrics.outboxExhausted.labels(provider, kind, handling).inc(),
    maxInFlight: config.DELIVERY_CONCURRENCY,
    gate: decisionEventGate({
      redis: ctx.redis,
      prefix: config.KEY_PREFIX,
      nowMs,
      leaseMs: config.PROVIDER_CONNECT_TIMEOUT_MS + config.PROVIDER_REQUEST_TIMEOUT_MS + 5_000,
    }),
  });
  const settings = deliveryWorkerSettings({
    baseMs: config.OUTBOX_BACKOFF_BASE_MS,
    maxMs: config.OUTBOX_BACKOFF_MAX_MS,
  });

  const closables: Closable[] = [];
  for (const provider of PROVIDERS) {
    const queue = queues.delivery[provider];
    const deps: DeliverDeps = {
      delivery,
      batch: {
        redis: ctx.redis,
        prefix: config.KEY_PREFIX,
        delivery,
        maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
        ownJobs: (effectIds) => jobsExist(ctx.redis, queue, effectIds),
      },
      nowMs,
      throttle: async () => {},
      handOff: async (tenant, effect, next) => {
        await enqueue(
          queue,
          deliverEffectJob,
          effect.kind,
          {
            tenant,
            effectId: effect.id,
            effect,
            priorAttempts: next.attemptsSpent,
            deadLettered: next.deadLettered,
          },
          handedOffJobOptions(effect.id, config.OUTBOX_MAX_ATTEMPTS, next),
        );
      },
      retryDelayMs: (attemptsMade) =>
        retryDelayMs(attemptsMade, {
          baseMs: config.OUTBOX_BACKOFF_BASE_MS,
          maxMs: config.OUTBOX_BACKOFF_MAX_MS,
        }),
    };
    const worker = startJobWorker(
      { ...deliverEffectJob, queue: deliveryQueueName(provider) },
      deps,
      ctx.workerConnection(),
      {
        logger,
        metrics: ctx.metrics,
        prefixes: config,
        concurrency: config.DELIVERY_CONCURRENCY,
        lockDuration: config.DELIVERY_LOCK_MS,
        stalledInterval: Math.max(250, Math.floor(config.DELIVERY_LOCK_MS / 2)),
        // Deliveries are idempotent: a job that stalls (its worker died) is simply run again.
        maxStalledCount: 1_000,
        settings,
      },
    );
    deps.throttle = (delayMs) => worker.rateLimit(delayMs);
    closables.push(workerClosable(ctx.health, worker));
  }

  const drainWorker = startJobWorker(
    drainOutboxJob,
    {
      redis: ctx.redis,
      prefix: config.KEY_PREFIX,
      nowMs,
      queues: queues.delivery,
      leaseMs: config.OUTBOX_LEASE_MS,
      batch: config.OUTBOX_DRAIN_BATCH,
      deliveryBatch: config.DELIVERY_BATCH,
      jobOptions: deliveryJobOptions(config.OUTBOX_MAX_ATTEMPTS),
    },
    ctx.workerConnection(),
    { logger, metrics: ctx.metrics, prefixes: config, concurrency: 1 },
  );
  const pruneWorker = startJobWorker(
    pruneOutboxJob,
    {
      redis: ctx.redis,
      prefix: config.KEY_PREFIX,
      nowMs,
      retentionMs: config.OUTBOX_RETENTION_SECONDS * 1000,
      chunk: 500,
    },
    ctx.workerConnection(),
    { logger, metrics: ctx.metrics, prefixes: config, concurrency: 1 },
  );
  const reconcileWorker = startJobWorker(
    reconcilePaymentsJob,
    { redis: ctx.redis, prefix: config.KEY_PREFIX, nowMs, client },
    ctx.workerConnection(),
    { logger, metrics: ctx.metrics, prefixes: config, concurrency: 1 },
  );
  closables.push(
    workerClosable(ctx.health, pruneWorker),
    workerClosable(ctx.health, drainWorker),
    workerClosable(ctx.health, reconcileWorker),
  );
  return [
    ...closables,
    { name: 'checkout-queues', phase: 'queues', close: () => queues.close() },
    { name: 'provider-client', phase: 'providers', close: () => client.close() },
  ];
}

export async function startCheckoutSchedulers(ctx: AppContext): Promise<Closable[]> {
  const { config } = ctx;
  const queues = checkoutQueues(ctx.redis, config);
  await queues.drain.upsertJobScheduler(
    'outbox-drain',
    { every: config.OUTBOX_DRAIN_INTERVAL_MS },
    { name: 'drain', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
  await queues.prune.upsertJobScheduler(
    'outbox-prune',
    { every: 3_600_000 },
    { name: 'prune', data: {}, opts: { removeOnComplete: 24, removeOnFail: 100 } },
  );
  await queues.reconcile.upsertJobScheduler(
    'reconcile-payments',
    { every: config.RECONCILE_INTERVAL_MS },
    { name: 'reconcile', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  ctx.health.register(
    'scheduler:outbox-drain',
    async () => (await queues.drain.getJobScheduler('outbox-drain')) != null,
  );
  return [{ name: 'checkout-schedulers', phase: 'queues', close: () => queues.close() }];
}
