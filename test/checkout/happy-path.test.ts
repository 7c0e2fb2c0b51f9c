import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/providers/webhook-signature.js';
import type {
  CheckoutRecord,
  TransitionResult,
} from '../../src/services/checkout/checkout-record.js';
import { AGENT_ACTOR, allowanceFor, EU_AGENT } from '../helpers/checkout-fixtures.js';
import { settledCheckout } from '../helpers/checkout-flow.js';
import {
  type CheckoutHarness,
  startCheckoutHarness,
  TOKEN,
  WEBHOOK_SECRET,
} from '../helpers/checkout-harness.js';

describe('checkout happy path', () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await startCheckoutHarness();
  });
  afterAll(() => h.close());

  const post = async (url: string, payload: unknown, key: string) => {
    const response = await h.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': key },
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.json() as TransitionResult,
    };
  };

  describe('when an agent buys a ready product with a sufficient allowance', () => {
    let checkout: CheckoutRecord;
    let completeBody: unknown;

    beforeAll(async () => {
      const created = await post('/v1/checkouts', { context: EU_AGENT }, 'k-create');
      expect(created.status).toBe(201);
      const id = created.body.checkout?.id as string;
      const added = await post(
        `/v1/checkouts/${id}/items`,
        { productId: 'BAG-TRAVEL-42', quantity: 2 },
        'k-add',
      );
      expect(added.body.outcome).toBe('applied');
      const prepared = await post(`/v1/checkouts/${id}/prepare`, {}, 'k-prepare');
      expect(prepared.body.checkout?.preparedTotal).toEqual({ amount: 25800, currency: 'EUR' });
      completeBody = { allowance: allowanceFor(id, 30000, Date.now()), actor: AGENT_ACTOR };
      const completed = await post(`/v1/checkouts/${id}/complete`, completeBody, 'k-complete');
      expect(completed.status).toBe(200);
      expect(completed.body.checkout?.state).toBe('completing');
      await h.webhook.appliedAtLeast(1);
      checkout = await settledCheckout(h, id, 'completed');
    });

    it('completes the checkout with an order id and a captured payment', () => {
      expect(checkout.orderId).toMatch(/^ord_/);
      expect(checkout.payments).toHaveLength(1);
      expect(checkout.payments[0]).toMatchObject({
        state: 'captured',
        capturedAmount: 25800,
        amount: { amount: 25800, currency: 'EUR' },
      });
    });

    it('reserves, authorizes, captures, issues a receipt and sends a webhook, each exactly once', () => {
      const { reservation, payment, receipt } = h.sandbox;
      expect(reservation.stats.applied).toBe(1);
      expect(payment.stats.applied).toBe(2);
      expect(receipt.stats.applied).toBe(1);
      expect(h.webhook.stats.applied).toBe(1);
      for (const server of [reservation, payment, receipt, h.webhook]) {
        expect(server.stats.missingKey).toBe(0);
        expect(server.stats.deliveries).toBe(server.stats.byKey.size);
      }
      expect(payment.capturesByCheckout.get(checkout.id)).toBe(1);
      expect([...reservation.reservations.values()][0]).toEqual({
        lines: [{ sku: 'BAG-TRAVEL-42', quantity: 2 }],
        status: 'held',
      });
      expect([...payment.stats.byKey.keys()].sort()).toEqual([
        `${checkout.id}.a1.authorize`,
        `${checkout.id}.a1.capture`,
      ]);
    });

    it('signs the webhook with Merchant-Signature over "t.body" and names the event in Webhook-Id', () => {
      expect(h.webhook.badSignatures).toBe(0);
      const [event] = h.webhook.received;
      expect(event?.webhookId).toBe(`${checkout.id}.a1.webhook.agent-hooks`);
      expect(event?.body).toMatchObject({
        id: event?.webhookId,
        type: 'order.completed',
        data: { checkoutId: checkout.id, orderId: checkout.orderId, total: { amount: 25800 } },
      });
      expect(verifyWebhookSignature(WEBHOOK_SECRET, 't=1,v1=00', '{}')).toBe(false);
    });

    it('records every effect delivered once in the outbox, with its history', async () => {
      const counts = await h.outbox().countByStatus();
      expect(counts).toEqual({ pending: 0, delivered: 5, dead: 0, superseded: 0 });
      const capture = await h.outbox().view(`${checkout.id}.a1.capture`);
      expect(capture).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(capture?.history).toEqual([
        expect.objectContaining({ result: 'delivered', status: 200 }),
      ]);
    });

    it('replays the complete request for the same Idempotency-Key without charging again', async () => {
      const again = await post(`/v1/checkouts/${checkout.id}/complete`, completeBody, 'k-complete');
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.checkout?.state).toBe('completing');
      expect(h.sandbox.payment.capturesByCheckout.get(checkout.id)).toBe(1);
      expect(h.sandbox.payment.stats.deliveries).toBe(2);
    });

    it('answers IDEMPOTENCY_CONFLICT when the same key comes with another request', async () => {
      const other = await post(
        `/v1/checkouts/${checkout.id}/complete`,
        { allowance: allowanceFor(checkout.id, 99999, Date.now()), actor: AGENT_ACTOR },
        'k-complete',
      );
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    });
  });
});
