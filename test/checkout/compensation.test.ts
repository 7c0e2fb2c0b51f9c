import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderClient } from '../../src/providers/provider-client.js';
import type { CheckoutRecord } from '../../src/services/checkout/checkout-record.js';
import { reconcilePayments } from '../../src/services/checkout/payment-reconciliation.js';
import { buyBackpack, settledCheckout } from '../helpers/checkout-flow.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';

describe('compensation and reconciliation', () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await startCheckoutHarness();
  });
  afterAll(() => h.close());

  const settledState = (id: string, state: CheckoutRecord['state']) =>
    settledCheckout(h, id, state);

  describe('when the capture is refused', () => {
    // A harness of its own whose payment provider declines every capture; the others capture.
    let h: CheckoutHarness;
    let checkout: CheckoutRecord;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        faults: {
          override: (call) =>
            call.path.endsWith('/capture')
              ? { status: 402, body: { error: 'card_declined' } }
              : undefined,
        },
      });
      const result = await buyBackpack(h.service, TENANT);
      checkout = await settledCheckout(h, result.checkout?.id as string, 'ready_for_payment');
    });
    afterAll(() => h.close());

    it('voids the authorization, releases the stock and reopens the checkout for payment', () => {
      expect(checkout.payments[0]?.state).toBe('voided');
      expect(checkout.lastFailure?.effectId).toBe(`${checkout.id}.a1.capture`);
      expect(h.sandbox.payment.payments.get(`${checkout.id}.p1`)?.status).toBe('voided');
      expect(h.sandbox.reservation.reservations.get(`${checkout.id}.r1`)?.status).toBe('released');
    });

    it('refuses a refund after the void', async () => {
      const result = await h.service.paymentAction(TENANT, checkout.id, {
        action: 'refund',
        amount: 100,
      });
      expect(result.decision.blockers[0]).toMatchObject({
        code: 'PAYMENT_TRANSITION_REFUSED',
        params: { from: 'voided', event: 'refund' },
      });
    });
  });

  describe('when the checkout is canceled while its payment is in flight', () => {
    it('undoes what landed afterwards instead of completing', async () => {
      // No workers: the chain is held until the cancel is in.
      await h.stopWorkers();
      const result = await buyBackpack(h.service, TENANT);
      const id = result.checkout?.id as string;
      const canceled = await h.service.cancel(TENANT, id, {});
      expect(canceled.checkout?.state).toBe('canceled');
      await h.startWorkers();
      await settledState(id, 'canceled');
      const view = await h.outbox().view(`${id}.a1.release`);
      expect(view?.status).toBe('delivered');
      expect(h.sandbox.payment.payments.has(`${id}.p1`)).toBe(false);
      expect(h.sandbox.reservation.reservations.get(`${id}.r1`)?.status).toBe('released');
      expect((await h.service.get(TENANT, id))?.payments[0]?.state).toBe('failed');
    });
  });

  describe('reconciliation', () => {
    it('reports drift between our payments and the provider, including one-sided unknowns', async () => {
      const ok = await buyBackpack(h.service, TENANT);
      const drifted = await buyBackpack(h.service, TENANT);
      const vanished = await buyBackpack(h.service, TENANT);
      for (const r of [ok, drifted, vanished])
        await settledState(r.checkout?.id as string, 'completed');
      const remote = h.sandbox.payment.payments;
      (remote.get(`${drifted.checkout?.id}.p1`) as { status: string }).status = 'refunded';
      remote.delete(`${vanished.checkout?.id}.p1`);

      const client = new ProviderClient({
        endpoints: {
          reservation: h.sandbox.reservation.url,
          payment: h.sandbox.payment.url,
          receipt: h.sandbox.receipt.url,
        },
        connectTimeoutMs: 500,
        requestTimeoutMs: 500,
        connections: 2,
        webhookSecret: 'unused-secret-0000000',
        nowMs: Date.now,
      });
      const report = await reconcilePayments(
        { redis: h.ctx.redis, prefix: h.env.KEY_PREFIX as string, nowMs: Date.now, client },
        TENANT,
      );
      await client.close();
      const kinds = Object.fromEntries(report.drift.map((d) => [d.checkoutId, d.kind]));
      expect(kinds[drifted.checkout?.id as string]).toBe('status_mismatch');
      expect(kinds[vanished.checkout?.id as string]).toBe('missing_at_provider');
      expect(kinds[ok.checkout?.id as string]).toBeUndefined();
      expect(report.checked).toBeGreaterThanOrEqual(3);
    });
  });
});
