import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderClient } from '../../src/providers/provider-client.js';
import {
  type SandboxReceiptServer,
  startSandboxReceipt,
} from '../../src/providers/sandbox/index.js';
import { EffectSettlement } from '../../src/services/checkout/effect-settlement.js';
import { BreakerRegistry } from '../../src/services/outbox/breaker-registry.js';
import { EffectDelivery } from '../../src/services/outbox/effect-delivery.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { type OutboxEffect, OutboxStore } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { receiptBody, receiptEffect } from '../helpers/outbox-fixtures.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * The delivery worker skips the status read on a job's first start and reads it on every later
 * start (retry, stall after a crash, run after a delay). These pin down both sides: a restarted
 * job never sends a settled effect again, and a first start of a stale job for an effect that
 * was already delivered is only a replay the provider answers from its Idempotency-Key record.
 */

const TENANT = 'acme';
const prefix = uniquePrefix('restart');
let redis: RedisClient;
let receipt: SandboxReceiptServer;
let client: ProviderClient;
let delivery: EffectDelivery;
let outbox: OutboxStore;
let serial = 0;

function nextReceipt(): OutboxEffect {
  serial += 1;
  return receiptEffect(`restart-${serial}.receipt`, TENANT, {
    body: receiptBody(serial, 1),
    correlationId: 'restart-test',
  });
}

async function commit(effect: OutboxEffect): Promise<void> {
  const committed = await new CheckoutStore(redis, prefix, TENANT).commit({
    checkoutId: `restart-${effect.id}`,
    expectedVersion: 0,
    doc: '{}',
    effects: [{ effect, dueMs: 0 }],
    audit: { type: 'test.commit' },
  });
  expect(committed.kind).toBe('ok');
}

beforeAll(async () => {
  redis = connectTestRedis();
  receipt = await startSandboxReceipt({
    // Refuses one body for good, to dead-letter an effect.
    faults: {
      override: (call) =>
        (call.body as { orderId?: string }).orderId === 'ord_refused'
          ? { status: 422, body: { error: 'refused' } }
          : undefined,
    },
  });
  const nowMs = () => Date.now();
  client = new ProviderClient({
    endpoints: { reservation: receipt.url, payment: receipt.url, receipt: receipt.url },
    connectTimeoutMs: 500,
    requestTimeoutMs: 1_000,
    connections: 2,
    webhookSecret: 'test-webhook-secret-0000000001',
    nowMs,
  });
  delivery = new EffectDelivery({
    redis,
    prefix,
    nowMs,
    client,
    breakers: new BreakerRegistry({ failureThreshold: 1_000, openMs: 200, nowMs }),
    settlement: new EffectSettlement({
      redis,
      prefix,
      nowMs,
      reservationTtlSeconds: 600,
      exhaustedRetryMs: 60_000,
    }),
    defaultThrottleMs: 100,
    retryAfterMaxMs: 1_000,
  });
  outbox = new OutboxStore(redis, prefix, TENANT);
});

afterAll(async () => {
  await client.close();
  await receipt.close();
  await redis.quit();
});

describe('EffectDelivery.deliver', () => {
  describe('when a job starts again after its effect was delivered (a stall after the settle)', () => {
    it('sends nothing and reports the effect skipped', async () => {
      const effect = nextReceipt();
      await commit(effect);
      const first = await delivery.deliver(TENANT, effect.id, {
        isLast: false,
        effect,
        firstStart: true,
      });
      expect(first.kind).toBe('delivered');
      const seen = receipt.stats.byKey.get(effect.id);

      const again = await delivery.deliver(TENANT, effect.id, {
        isLast: false,
        effect,
        firstStart: false,
      });

      expect(again).toEqual({ kind: 'skipped', status: 'delivered' });
      expect(receipt.stats.byKey.get(effect.id)).toBe(seen);
    });
  });

  describe('when a job starts again after its effect was dead-lettered', () => {
    it('sends nothing and reports the effect skipped', async () => {
      const effect = {
        ...nextReceipt(),
        body: {
          checkoutId: 'co_x',
          orderId: 'ord_refused',
          lines: [],
          total: { amount: 1, currency: 'EUR' },
        },
      };
      await commit(effect);
      const first = await delivery.deliver(TENANT, effect.id, {
        isLast: false,
        effect,
        firstStart: true,
      });
      expect(first.kind).toBe('dead');

      const again = await delivery.deliver(TENANT, effect.id, {
        isLast: false,
        effect,
        firstStart: false,
      });

      expect(again).toEqual({ kind: 'skipped', status: 'dead' });
      expect(receipt.stats.byKey.get(effect.id)).toBe(1);
    });
  });

  describe('when a stale job first starts for an effect already delivered', () => {
    it('is a replay at the provider and leaves the settlement as it was', async () => {
      const effect = nextReceipt();
      await commit(effect);
      await delivery.deliver(TENANT, effect.id, { isLast: false, effect, firstStart: true });
      const applied = receipt.stats.applied;
      const replays = receipt.stats.replays;

      await delivery.deliver(TENANT, effect.id, { isLast: false, effect, firstStart: true });

      expect(receipt.stats.applied).toBe(applied);
      expect(receipt.stats.replays).toBe(replays + 1);
      const view = await outbox.view(effect.id);
      expect(view?.status).toBe('delivered');
      expect(view?.attempts).toBe(1);
      expect(view?.history).toHaveLength(1);
    });
  });
});
