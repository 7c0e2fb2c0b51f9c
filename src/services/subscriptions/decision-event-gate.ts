import { DecisionChangeStore, type GateEvent } from '../../store/decision-change-store.js';
import { type OutboxEffect, OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import type { DeliveryGate } from '../outbox/effect-delivery.js';
import { TurnBatcher } from '../outbox/turn-batcher.js';

/**
 * The delivery's ordering gate for decision events (decision-events-gate-5.lua): one send per
 * (subscription, product, context) at a time, and only of the key's latest event. The lease
 * outlives a send (PROVIDER_REQUEST_TIMEOUT_MS and then some), so a worker killed mid-send
 * holds its key no longer than that.
 *
 * A batch delivers its events concurrently, so the gate is asked by many of them in the same
 * turn of the event loop: those questions (and the ends that follow the answers) are gathered
 * per tenant and asked in one script call (TurnBatcher), as settlements are.
 */
export function decisionEventGate(deps: {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  leaseMs: number;
}): DeliveryGate {
  const begins = new TurnBatcher(async (tenant, events: GateEvent[]) => {
    const { changes, status } = storesOf(tenant);
    return changes.beginMany(events, status, deps.nowMs(), deps.leaseMs);
  });
  const ends = new TurnBatcher(async (tenant, events: GateEvent[]) => {
    const { changes, status } = storesOf(tenant);
    await changes.endMany(events, status);
    return events.map(() => undefined);
  });
  const storesOf = (tenant: string) => ({
    changes: new DecisionChangeStore(deps.redis, deps.prefix, tenant),
    status: new OutboxStore(deps.redis, deps.prefix, tenant).key('outbox', 'status'),
  });
  const eventOf = (effect: OutboxEffect): GateEvent => ({
    id: effect.id,
    orderingKey: effect.orderingKey ?? effect.id,
    subscriptionId: effect.subscriptionId ?? '',
  });
  return {
    begin: (effect) => begins.ask(effect.tenant, eventOf(effect)),
    end: (effect) => ends.ask(effect.tenant, eventOf(effect)),
  };
}
