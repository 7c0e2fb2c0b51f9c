import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderClient } from '../../src/providers/provider-client.js';
import { EffectSettlement } from '../../src/services/checkout/effect-settlement.js';
import { BreakerRegistry } from '../../src/services/outbox/breaker-registry.js';
import { type DeliveryResult, EffectDelivery } from '../../src/services/outbox/effect-delivery.js';
import {
  type DecisionChangedEvent,
  subscriberWebhook,
} from '../../src/services/subscriptions/decision-event.js';
import { decisionEventGate } from '../../src/services/subscriptions/decision-event-gate.js';
import { orderingKeyOf } from '../../src/services/subscriptions/decision-event-projector.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { tenantKeys } from '../../src/store/keys.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * The window between a decision event's answer and its settlement. A second job can hold the
 * same event (the drain claimed it again after its lease ran out while the first job waited in
 * the queue); if it asks the gate in that window, the event is still pending, so only the key's
 * send lease keeps it from sending the event a second time. The gate must therefore be let go
 * after the settlement, not after the answer. The second delivery is started from inside the
 * first one's settlement, which is exactly that window.
 */

const TENANT = 'acme';
const SUBSCRIPTION = 'watch-window';
const SECRET = 'send-window-webhook-secret-0123456789';

/** Runs `race` once, inside the next settle, before the settlement is written. */
class SettlementWithAWindow extends EffectSettlement {
  race: (() => Promise<void>) | undefined;

  override async settle(...args: Parameters<EffectSettlement['settle']>) {
    const race = this.race;
    this.race = undefined;
    await race?.();
    return super.settle(...args);
  }
}

describe('a decision event delivered by two jobs at once', () => {
  let redis: RedisClient;
  let prefix: string;
  let agent: LoopbackServer;
  let client: ProviderClient;
  let settlement: SettlementWithAWindow;
  let delivery: EffectDelivery;

  beforeAll(async () => {
    redis = connectTestRedis();
    prefix = uniquePrefix('send-window');
    agent = await loopbackServer((_request, response) => response.writeHead(204).end());
    const nowMs = () => Date.now();
    client = new ProviderClient({
      endpoints: { reservation: agent.url, payment: agent.url, receipt: agent.url },
      connectTimeoutMs: 500,
      requestTimeoutMs: 2_000,
      connections: 2,
      webhookSecret: SECRET,
      nowMs,
    });
    settlement = new SettlementWithAWindow({
      redis,
      prefix,
      nowMs,
      reservationTtlSeconds: 600,
      exhaustedRetryMs: 60_000,
    });
    delivery = new EffectDelivery({
      redis,
      prefix,
      nowMs,
      client,
      breakers: new BreakerRegistry({ failureThreshold: 1_000, openMs: 200, nowMs }),
      settlement,
      defaultThrottleMs: 100,
      retryAfterMaxMs: 1_000,
      gate: decisionEventGate({ redis, prefix, nowMs, leaseMs: 10_000 }),
    });
  });
  afterAll(async () => {
    await client?.close();
    await agent?.close();
    await redis?.quit();
  });

  it('sends it once: the second, asking the gate between answer and settlement, is held', async () => {
    const key = tenantKeys(prefix, TENANT);
    const orderingKey = orderingKeyOf(SUBSCRIPTION, 'EU|consumer|agent', 'P-1');
    const event = {
      id: 'dc.1-0.0',
      type: 'decision.changed',
      createdAt: new Date().toISOString(),
      subscriptionId: SUBSCRIPTION,
      sequence: 1,
      data: { productId: 'P-1', context: 'EU:consumer:agent', changes: [] },
    } as unknown as DecisionChangedEvent;
    const effect = subscriberWebhook(
      TENANT,
      { id: SUBSCRIPTION, url: `${agent.url}/hooks` },
      event,
      { orderingKey, correlationId: 'send-window', createdAtMs: Date.now() },
    );
    // As the projector leaves it: pending in the outbox, the key's next event, subscribed.
    const committed = await new CheckoutStore(redis, prefix, TENANT).commit({
      checkoutId: 'send-window',
      expectedVersion: 0,
      doc: '{}',
      effects: [{ effect, dueMs: 0 }],
      audit: { type: 'test.commit' },
    });
    expect(committed.kind).toBe('ok');
    await redis.hset(key('decision-events', 'next'), orderingKey, effect.id);
    await redis.hset(
      key('subscriptions', 'products'),
      SUBSCRIPTION,
      JSON.stringify({ id: SUBSCRIPTION }),
    );

    let second: DeliveryResult | undefined;
    settlement.race = async () => {
      second = await delivery.deliver(TENANT, effect.id, {
        isLast: false,
        effect,
        firstStart: true,
      });
    };
    const first = await delivery.deliver(TENANT, effect.id, {
      isLast: false,
      effect,
      firstStart: true,
    });

    expect(first.kind).toBe('delivered');
    expect(second?.kind).toBe('held');
    expect(agent.requests.filter((r) => r.url === '/hooks')).toHaveLength(1);
    expect(await new OutboxStore(redis, prefix, TENANT).status(effect.id)).toBe('delivered');
    // Held, its retry finds the event settled and sends nothing.
    const retried = await delivery.deliver(TENANT, effect.id, {
      isLast: false,
      effect,
      firstStart: false,
    });
    expect(retried).toMatchObject({ kind: 'skipped', status: 'delivered' });
    expect(agent.requests).toHaveLength(1);
  });
});
