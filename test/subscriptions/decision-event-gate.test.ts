import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderingKeyOf } from '../../src/services/subscriptions/decision-event-projector.js';
import { DecisionChangeStore } from '../../src/store/decision-change-store.js';
import { tenantKeys } from '../../src/store/keys.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const NOW = Date.parse('2026-06-01T10:00:00Z');
const LEASE = 5_000;
const SUBSCRIPTION = 'watch-p1';

describe('the decision-event ordering gate (decision-events-gate-5.lua)', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('gate');
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await redis?.quit();
  });

  /**
   * One ordering key of a fresh tenant, its subscription in place, and the gate's state written
   * by hand in the store's key layout.
   */
  async function gateKey() {
    const tenant = `gate-${randomUUID().slice(0, 8)}`;
    const key = tenantKeys(prefix, tenant);
    const store = new DecisionChangeStore(redis, prefix, tenant);
    const statusKey = new OutboxStore(redis, prefix, tenant).key('outbox', 'status');
    const orderingKey = orderingKeyOf(SUBSCRIPTION, 'EU|consumer|agent', 'P-1');
    const subscriptions = key('subscriptions', 'products');
    await redis.hset(subscriptions, SUBSCRIPTION, JSON.stringify({ id: SUBSCRIPTION }));
    const event = (id: string) => ({ id, orderingKey, subscriptionId: SUBSCRIPTION });
    return {
      /** As the projector leaves an event: the key's next, pending in the outbox. */
      async waiting(id: string) {
        await redis.hset(key('decision-events', 'next'), orderingKey, id);
        await redis.hset(statusKey, id, 'pending');
      },
      setStatus: (id: string, status: string) => redis.hset(statusKey, id, status),
      unsubscribe: () => redis.hdel(subscriptions, SUBSCRIPTION),
      begin: (id: string, nowMs: number) => store.begin(event(id), statusKey, nowMs, LEASE),
      end: (id: string) => store.end(event(id), statusKey),
      async state() {
        const [next, sending, begun] = await Promise.all(
          (['next', 'sending', 'begun'] as const).map((part) =>
            redis.hget(key('decision-events', part), orderingKey),
          ),
        );
        return { next, sending, begun };
      },
    };
  }

  it("sends the key's next event, which becomes its begun event under a lease", async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    expect(await gate.state()).toEqual({ next: null, sending: `e1|${NOW + LEASE}`, begun: 'e1' });
  });

  it('holds a newer event while the begun one is being sent, for the rest of its lease', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.waiting('e2');
    expect(await gate.begin('e2', NOW + 1_500)).toEqual({ kind: 'held', delayMs: LEASE - 1_500 });
    // Held, it is still the key's next event; the send in flight keeps its lease.
    expect(await gate.state()).toEqual({ next: 'e2', sending: `e1|${NOW + LEASE}`, begun: 'e1' });
  });

  it('sends the newer event once the send before it ended', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.waiting('e2');
    expect(await gate.begin('e2', NOW + 100)).toMatchObject({ kind: 'held' });
    await gate.end('e1');
    expect((await gate.state()).sending).toBeNull();
    expect(await gate.begin('e2', NOW + 200)).toEqual({ kind: 'send' });
    expect(await gate.state()).toEqual({
      next: null,
      sending: `e2|${NOW + 200 + LEASE}`,
      begun: 'e2',
    });
  });

  it("lets go only of the ending event's own lease", async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.waiting('e2');
    await gate.end('e2');
    expect((await gate.state()).sending).toBe(`e1|${NOW + LEASE}`);
    expect(await gate.begin('e2', NOW + 1)).toEqual({ kind: 'held', delayMs: LEASE - 1 });
  });

  it('supersedes an older begun event retried while a newer one waits (replaced)', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.end('e1'); // its send failed: it stays pending for a retry
    await gate.waiting('e2');
    expect(await gate.begin('e1', NOW + 1_000)).toEqual({
      kind: 'superseded',
      reason: 'replaced',
    });
    // The newer one is untouched, and goes next.
    expect(await gate.state()).toEqual({ next: 'e2', sending: null, begun: 'e1' });
    expect(await gate.begin('e2', NOW + 1_001)).toEqual({ kind: 'send' });
  });

  it('supersedes an older event retried while its own lease still runs and a newer one waits', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.waiting('e2');
    // Its own lease does not hold it; the newer event replaced it.
    expect(await gate.begin('e1', NOW + 10)).toEqual({ kind: 'superseded', reason: 'replaced' });
  });

  it('holds a second send of the same event while its first is in flight (a re-claimed job)', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    expect(await gate.begin('e1', NOW + 10)).toEqual({ kind: 'held', delayMs: LEASE - 10 });
    await gate.end('e1');
    expect(await gate.begin('e1', NOW + 20)).toEqual({ kind: 'send' });
  });

  it('answers settled, sending nothing, for an event another job settled meanwhile', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.end('e1');
    await gate.setStatus('e1', 'delivered');
    expect(await gate.begin('e1', NOW + 10)).toEqual({ kind: 'settled', status: 'delivered' });
    expect(await gate.state()).toEqual({ next: null, sending: null, begun: 'e1' });
  });

  it('supersedes an event that is neither the next nor the begun one', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    await gate.waiting('e2'); // e2 replaced e1 before e1 began
    expect(await gate.begin('e2', NOW)).toEqual({ kind: 'send' });
    await gate.end('e2');
    expect(await gate.begin('e1', NOW + 10)).toEqual({ kind: 'superseded', reason: 'replaced' });
    expect(await gate.state()).toEqual({ next: null, sending: null, begun: 'e2' });
  });

  it('sends a begun event again when nothing newer waits (a retry, a replay)', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.end('e1');
    expect(await gate.begin('e1', NOW + 60_000)).toEqual({ kind: 'send' });
    expect(await gate.state()).toEqual({
      next: null,
      sending: `e1|${NOW + 60_000 + LEASE}`,
      begun: 'e1',
    });
    // A worker that died mid-send never ended it: the retry renews the lease.
    expect(await gate.begin('e1', NOW + 70_000)).toEqual({ kind: 'send' });
    expect((await gate.state()).sending).toBe(`e1|${NOW + 70_000 + LEASE}`);
  });

  it("supersedes an event whose subscription was deleted, and clears it as the key's next", async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    await gate.unsubscribe();
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'superseded', reason: 'unsubscribed' });
    expect(await gate.state()).toEqual({ next: null, sending: null, begun: null });
  });

  it('supersedes a begun event retried after its subscription was deleted', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.end('e1');
    await gate.unsubscribe();
    expect(await gate.begin('e1', NOW + 10)).toEqual({
      kind: 'superseded',
      reason: 'unsubscribed',
    });
  });

  it('does not hold on an expired lease (now at or past its end)', async () => {
    const gate = await gateKey();
    await gate.waiting('e1');
    expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
    await gate.waiting('e2');
    // One ms before the lease ends it still holds; at its end it no longer does.
    expect(await gate.begin('e2', NOW + LEASE - 1)).toEqual({ kind: 'held', delayMs: 1 });
    expect(await gate.begin('e2', NOW + LEASE)).toEqual({ kind: 'send' });
    expect(await gate.state()).toEqual({
      next: null,
      sending: `e2|${NOW + 2 * LEASE}`,
      begun: 'e2',
    });
  });

  it.each(['delivered', 'dead', 'superseded'])(
    'does not hold on a lease whose event is %s (no longer pending)',
    async (status) => {
      const gate = await gateKey();
      await gate.waiting('e1');
      expect(await gate.begin('e1', NOW)).toEqual({ kind: 'send' });
      await gate.setStatus('e1', status);
      await gate.waiting('e2');
      expect(await gate.begin('e2', NOW + 10)).toEqual({ kind: 'send' });
      expect(await gate.state()).toEqual({
        next: null,
        sending: `e2|${NOW + 10 + LEASE}`,
        begun: 'e2',
      });
    },
  );
});
