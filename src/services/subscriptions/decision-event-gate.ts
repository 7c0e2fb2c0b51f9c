import { DecisionChangeStore } from '../../store/decision-change-store.js';
import { type OutboxEffect, OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import type { DeliveryGate } from '../outbox/effect-delivery.js';

/**
 * The delivery's ordering gate for decision events (decision-events-gate-5.lua): one send per
 * (subscription, product, context) at a time, and only of the key's latest event. The lease
 * outlives a send (PROVIDER_REQUEST_TIMEOUT_MS and then some), so a worker killed mid-send
 * holds its key no longer than that.
 */
export function decisionEventGate(deps: {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  leaseMs: number;
}): DeliveryGate {
  const keysOf = (effect: OutboxEffect) => ({
    changes: new DecisionChangeStore(deps.redis, deps.prefix, effect.tenant),
    status: new OutboxStore(deps.redis, deps.prefix, effect.tenant).key('outbox', 'status'),
    event: {
      id: effect.id,
      orderingKey: effect.orderingKey ?? effect.id,
      subscriptionId: effect.subscriptionId ?? '',
    },
  });
  return {
    begin(effect) {
      const { changes, status, event } = keysOf(effect);
      return changes.begin(event, status, deps.nowMs(), deps.leaseMs);
    },
    end(effect) {
      const { changes, status, event } = keysOf(effect);
      return changes.end(event, status);
    },
  };
}
