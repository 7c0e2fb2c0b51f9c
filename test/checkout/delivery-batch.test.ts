import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterRecordJobId, deliveryJobOptions } from '../../src/queues/delivery-options.js';
import { nudgeOutboxDrain } from '../../src/queues/outbox-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import type { OutboxEffect } from '../../src/store/outbox-store.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';
import { receiptBody, receiptEffect } from '../helpers/outbox-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The drain hands due effects to batch jobs (DELIVERY_BATCH per job), whose first attempts one
 * job makes; an attempt that is not final hands its effect to a job of its own. These tests pin
 * what the batch adds; the crash, fault and idempotency tests prove the guarantees through it.
 */

const EFFECTS = 120;
const BATCH = 50;

function effectsOf(run: string, count: number): OutboxEffect[] {
  return Array.from({ length: count }, (_, i) =>
    receiptEffect(`${run}-${i}.receipt`, TENANT, { body: receiptBody(`${run}-${i}`, 100 + i) }),
  );
}

/** A due time no drain reaches: the test plays the drain. */
const HELD = 8_000_000_000_000;

/** Writes the effects as a transition does, due now (for the drain) or HELD. */
async function commit(
  h: CheckoutHarness,
  effects: readonly OutboxEffect[],
  dueMs = 0,
): Promise<void> {
  const result = await new CheckoutStore(h.ctx.redis, h.env.KEY_PREFIX as string, TENANT).commit({
    checkoutId: `co-${effects[0]?.id}`,
    expectedVersion: 0,
    doc: '{}',
    effects: effects.map((effect) => ({ effect, dueMs })),
    audit: { type: 'test.commit' },
  });
  expect(result.kind).toBe('ok');
}

async function allSettled(h: CheckoutHarness, ids: readonly string[]) {
  return waitFor(`${ids.length} effects settled`, async () => {
    const statuses = await h.outbox().statuses(ids);
    return statuses.every((status) => status === 'delivered' || status === 'dead')
      ? statuses
      : undefined;
  });
}

describe('batch delivery', () => {
  describe('when one commit writes many effects, some of whose first answers are not final', () => {
    let h: CheckoutHarness;
    const effects = effectsOf('many', EFFECTS);
    const ids = effects.map((effect) => effect.id);
    const [flaky, refused, throttled] = [ids[7], ids[61], ids[99]] as [string, string, string];
    const answered = new Set<string>();
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { DELIVERY_BATCH: String(BATCH), OUTBOX_MAX_ATTEMPTS: '3' },
        faults: {
          override: ({ idempotencyKey: key }) => {
            if (key === refused) return { status: 400 };
            if (key === undefined || answered.has(key)) return undefined;
            answered.add(key);
            if (key === flaky) return { status: 503 };
            if (key === throttled) return { status: 429, headers: { 'retry-after': '0' } };
            return undefined;
          },
        },
      });
      await commit(h, effects);
      await nudgeOutboxDrain(h.queues.drain, TENANT);
      await allSettled(h, ids);
    });
    afterAll(() => h.close());

    it('applies every effect once at the provider but the refused one, sent once unless answered otherwise', () => {
      expect(h.sandbox.receipt.stats.applied).toBe(EFFECTS - 1);
      const sent = h.sandbox.receipt.stats.byKey;
      for (const id of ids) expect(sent.get(id)).toBe(id === flaky || id === throttled ? 2 : 1);
    });

    it('makes the first attempts in a few jobs, not one job per effect', async () => {
      // Batch jobs take BullMQ's own ids (a counter); the jobs effects are handed to take theirs.
      const queue = h.queues.delivery.receipt;
      const batches = Number(await h.ctx.redis.get(queue.toKey('id')));
      expect(batches).toBeGreaterThanOrEqual(Math.ceil(EFFECTS / BATCH));
      expect(batches).toBeLessThan(EFFECTS / 10);
    });

    it('hands a transient failure to a job of its own, the first attempt counted', async () => {
      const view = await h.outbox().view(flaky);
      expect(view?.status).toBe('delivered');
      expect(view?.attempts).toBe(2);
      expect(view?.history.map((r) => r.result)).toEqual(['transient', 'delivered']);
    });

    it('hands a throttled effect on without spending an attempt', async () => {
      const view = await h.outbox().view(throttled);
      expect(view?.status).toBe('delivered');
      expect(view?.attempts).toBe(1);
      expect(view?.history.map((r) => r.result)).toEqual(['throttled', 'delivered']);
    });

    it('dead-letters a refusal on its first attempt and keeps its failed job for the dashboard', async () => {
      const view = await h.outbox().view(refused);
      expect(view?.status).toBe('dead');
      expect(view?.history.map((r) => r.result)).toEqual(['permanent']);
      const queue = h.queues.delivery.receipt;
      await waitFor('the refused effect’s failed job', async () =>
        (await queue.getJobState(deadLetterRecordJobId(refused))) === 'failed' ? true : undefined,
      );
      expect(h.sandbox.receipt.stats.deliveries).toBe(EFFECTS + 2);
    });
  });

  describe('when a batch arrives for effects already settled or owned by a job of their own', () => {
    let h: CheckoutHarness;
    let events: QueueEvents;
    beforeAll(async () => {
      h = await startCheckoutHarness({ env: { DELIVERY_BATCH: String(BATCH) } });
      const queue = h.queues.delivery.receipt;
      events = new QueueEvents(queue.name, {
        connection: h.ctx.workerConnection(),
        prefix: queuePrefix(h.ctx.config, queue.name),
      });
      await events.waitUntilReady();
    });
    afterAll(async () => {
      await events.close();
      await h.close();
    });

    it('sends nothing for effects that are settled (a drain that re-claimed them)', async () => {
      const effects = effectsOf('settled', 5);
      await commit(h, effects);
      await nudgeOutboxDrain(h.queues.drain, TENANT);
      await allSettled(
        h,
        effects.map((effect) => effect.id),
      );
      const deliveries = h.sandbox.receipt.stats.deliveries;

      const queue = h.queues.delivery.receipt;
      const again = await queue.add('batch', { tenant: TENANT, effects }, deliveryJobOptions(3));
      const report = await again.waitUntilFinished(events);
      expect(report).toEqual({ delivered: 0, handedOff: 0, settledOtherwise: 0, skipped: 5 });
      expect(h.sandbox.receipt.stats.deliveries).toBe(deliveries);
    });

    it('leaves an effect with a job of its own to that job, which delivers it once', async () => {
      await h.stopWorkers();
      const [owned, free] = effectsOf('owned', 2) as [OutboxEffect, OutboxEffect];
      await commit(h, [owned, free], HELD);
      const queue = h.queues.delivery.receipt;
      const own = await queue.add(
        owned.kind,
        { tenant: TENANT, effectId: owned.id, effect: owned },
        { ...deliveryJobOptions(3), jobId: owned.id, delay: 60_000 },
      );
      const batch = await queue.add(
        'batch',
        { tenant: TENANT, effects: [owned, free] },
        deliveryJobOptions(3),
      );
      await h.startWorkers();

      const report = await batch.waitUntilFinished(events);
      expect(report).toEqual({ delivered: 1, handedOff: 0, settledOtherwise: 0, skipped: 1 });
      expect(h.sandbox.receipt.stats.byKey.get(free.id)).toBe(1);
      expect(h.sandbox.receipt.stats.byKey.has(owned.id)).toBe(false);

      await own.promote();
      await own.waitUntilFinished(events);
      expect(h.sandbox.receipt.stats.byKey.get(owned.id)).toBe(1);
      expect((await h.outbox().view(owned.id))?.status).toBe('delivered');
    });

    it('delivers an effect whose own job has failed and was left behind (a replay that raced with it)', async () => {
      const [effect] = effectsOf('left-behind', 1) as [OutboxEffect];
      await commit(h, [effect], HELD);
      const queue = h.queues.delivery.receipt;
      // A failed job under the effect's own id, as a dead letter's job is until a replay removes it.
      const failed = await queue.add(
        effect.kind,
        { tenant: TENANT, effectId: effect.id, effect, deadLettered: 'refused earlier' },
        { ...deliveryJobOptions(3), jobId: effect.id },
      );
      await expect(failed.waitUntilFinished(events)).rejects.toThrow(/dead-lettered/);
      expect(await queue.getJobState(effect.id)).toBe('failed');

      const batch = await queue.add(
        'batch',
        { tenant: TENANT, effects: [effect] },
        deliveryJobOptions(3),
      );
      const report = await batch.waitUntilFinished(events);
      expect(report).toEqual({ delivered: 1, handedOff: 0, settledOtherwise: 0, skipped: 0 });
      expect(h.sandbox.receipt.stats.byKey.get(effect.id)).toBe(1);
    });
  });
});
