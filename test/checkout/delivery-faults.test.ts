import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxCall } from '../../src/providers/sandbox/index.js';
import { buyBackpack } from '../helpers/checkout-flow.js';
import {
  type CheckoutHarness,
  startCheckoutHarness,
  TENANT,
  TOKEN,
} from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const CHECKOUTS = 20;
/** reserve, authorize, capture, receipt, webhook */
const EFFECTS_PER_CHECKOUT = 5;

async function settled(h: CheckoutHarness, expected: number) {
  return waitFor(
    `${expected} effects settled`,
    async () => {
      const counts = await h.outbox().countByStatus();
      return counts.pending === 0 && counts.delivered + counts.dead === expected
        ? counts
        : undefined;
    },
    { timeoutMs: 25_000 },
  );
}

describe('delivery under faults', () => {
  describe('when every provider fails 30% of calls with 5xx, resets and timeouts', () => {
    let h: CheckoutHarness;
    let ids: string[];
    beforeAll(async () => {
      const faults = { rate: 0.3, seed: 42, timeoutMs: 600 };
      h = await startCheckoutHarness({
        faults,
        webhookFaults: { ...faults, seed: 7 },
        // 0.3^20: no effect runs out of attempts by bad luck.
        env: { OUTBOX_MAX_ATTEMPTS: '20', DELIVERY_CONCURRENCY: '32' },
      });
      const results = await Promise.all(
        Array.from({ length: CHECKOUTS }, () => buyBackpack(h.service, TENANT)),
      );
      ids = results.map((result) => result.checkout?.id as string);
      await settled(h, CHECKOUTS * EFFECTS_PER_CHECKOUT);
    }, 30_000);
    afterAll(() => h.close());

    it('injected every kind of fault', () => {
      const faults = h.sandbox.payment.stats.faults;
      expect(faults['5xx']).toBeGreaterThan(0);
      expect(faults.reset).toBeGreaterThan(0);
      expect(faults.timeout).toBeGreaterThan(0);
    });

    it('delivers every effect, none dead-lettered', async () => {
      expect(await h.outbox().countByStatus()).toEqual({
        pending: 0,
        delivered: CHECKOUTS * EFFECTS_PER_CHECKOUT,
        dead: 0,
        superseded: 0,
      });
    });

    it('applies each effect exactly once at its provider, though many were sent more than once', () => {
      const { reservation, payment, receipt } = h.sandbox;
      expect(reservation.stats.applied).toBe(CHECKOUTS);
      expect(reservation.stats.byKey.size).toBe(CHECKOUTS);
      expect(payment.stats.applied).toBe(2 * CHECKOUTS);
      expect(payment.stats.byKey.size).toBe(2 * CHECKOUTS);
      expect(receipt.stats.applied).toBe(CHECKOUTS);
      expect(h.webhook.stats.applied).toBe(CHECKOUTS);
      const sent = [reservation, payment, receipt, h.webhook].reduce(
        (n, s) => n + s.stats.deliveries,
        0,
      );
      expect(sent).toBeGreaterThan(CHECKOUTS * EFFECTS_PER_CHECKOUT);
      for (const id of ids) expect(payment.capturesByCheckout.get(id)).toBe(1);
    });

    it('completes every checkout', async () => {
      const states = await Promise.all(ids.map((id) => h.service.get(TENANT, id)));
      expect(states.map((c) => c?.state)).toEqual(ids.map(() => 'completed'));
    });
  });

  describe('when a provider answers a permanent 4xx', () => {
    let h: CheckoutHarness;
    /** Receipts the provider takes once replayed; it refuses every other receipt for good. */
    const accepted = new Set<string>();
    let checkoutId: string;
    const receiptOf = (id: string) => `${id}.a1.receipt`;
    const receiptId = () => receiptOf(checkoutId);
    beforeAll(async () => {
      h = await startCheckoutHarness({
        faults: {
          override: (call: SandboxCall) =>
            call.path === '/receipts' && !accepted.has(call.idempotencyKey ?? '')
              ? { status: 400, body: { error: 'bad_receipt_template' } }
              : undefined,
        },
      });
      checkoutId = (await buyBackpack(h.service, TENANT)).checkout?.id as string;
      await settled(h, EFFECTS_PER_CHECKOUT);
    });
    afterAll(() => h.close());

    it('dead-letters it after one attempt, with its history', async () => {
      const view = await h.outbox().view(receiptId());
      expect(view).toMatchObject({ status: 'dead', attempts: 1 });
      expect(view?.history).toEqual([
        expect.objectContaining({ result: 'permanent', status: 400 }),
      ]);
      expect(h.sandbox.receipt.stats.byKey.get(receiptId())).toBe(1);
    });

    it('lists it under GET /v1/ops/dead-letter for its tenant only', async () => {
      const response = await h.app.inject({
        method: 'GET',
        url: '/v1/ops/dead-letter',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.statusCode).toBe(200);
      const body = response.json() as { total: number; items: { effect: { id: string } }[] };
      expect(body.total).toBe(1);
      expect(body.items[0]?.effect.id).toBe(receiptId());
    });

    it('delivers it once replayed, with attempts reset and the history kept, then refuses a second replay', async () => {
      // A checkout of its own, so the dead letter the other tests read stays as it is.
      const receipt = receiptOf((await buyBackpack(h.service, TENANT)).checkout?.id as string);
      await waitFor('its receipt dead-lettered', async () =>
        (await h.outbox().view(receipt))?.status === 'dead' ? true : undefined,
      );
      accepted.add(receipt);
      const replay = () =>
        h.app.inject({
          method: 'POST',
          url: `/v1/ops/dead-letter/${receipt}/replay`,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
      expect((await replay()).statusCode).toBe(202);
      await h.sandbox.receipt.appliedAtLeast(1);
      const view = await waitFor('the replayed receipt to settle', async () => {
        const current = await h.outbox().view(receipt);
        return current?.status === 'delivered' ? current : undefined;
      });
      expect(view.attempts).toBe(1);
      expect(view.history.map((record) => record.result)).toEqual([
        'permanent',
        'replayed',
        'delivered',
      ]);
      expect(h.sandbox.receipt.stats.applied).toBe(1);
      // Delivered now, no longer dead-lettered.
      expect((await replay()).statusCode).toBe(409);
    });
  });

  describe('when a provider keeps failing with 5xx', () => {
    let h: CheckoutHarness;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { OUTBOX_MAX_ATTEMPTS: '3' },
        faults: {
          override: (call) => (call.path === '/receipts' ? { status: 503 } : undefined),
        },
      });
      await buyBackpack(h.service, TENANT);
      await settled(h, EFFECTS_PER_CHECKOUT);
    });
    afterAll(() => h.close());

    it('dead-letters it after the last attempt with every attempt in its history', async () => {
      const dead = await h.outbox().listDead(10);
      expect(dead.total).toBe(1);
      expect(dead.items[0]?.effect.kind).toBe('receipt');
      expect(dead.items[0]?.attempts).toBe(3);
      expect(dead.items[0]?.history.map((r) => r.result)).toEqual([
        'transient',
        'transient',
        'exhausted',
      ]);
      expect(h.sandbox.receipt.stats.deliveries).toBe(3);
    });
  });

  describe('when a provider answers 429', () => {
    let h: CheckoutHarness;
    let throttled = 0;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_RETRY_AFTER_MAX_MS: '50' },
        faults: {
          override: (call) => {
            if (call.path !== '/receipts' || throttled >= 3) return undefined;
            throttled += 1;
            return { status: 429, headers: { 'retry-after': '1' } };
          },
        },
      });
      await buyBackpack(h.service, TENANT);
      await settled(h, EFFECTS_PER_CHECKOUT);
    });
    afterAll(() => h.close());

    it('throttles instead of spending attempts, then delivers', async () => {
      const dead = await h.outbox().listDead(10);
      expect(dead.total).toBe(0);
      expect(h.sandbox.receipt.stats.applied).toBe(1);
      expect(h.sandbox.receipt.stats.deliveries).toBe(4);
      const [id] = [...h.sandbox.receipt.stats.byKey.keys()];
      const view = await h.outbox().view(id as string);
      expect(view?.attempts).toBe(1);
      expect(view?.history.map((r) => r.result)).toEqual([
        'throttled',
        'throttled',
        'throttled',
        'delivered',
      ]);
    });
  });
});
