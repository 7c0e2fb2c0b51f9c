import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CheckoutRecord,
  TransitionResult,
} from '../../src/services/checkout/checkout-record.js';
import type { EffectView } from '../../src/store/outbox-store.js';
import { acpWebhookEventValidator, schemaErrors } from '../helpers/acp-2026-schemas.js';
import { AGENT_ACTOR, allowanceFor, EU_AGENT } from '../helpers/checkout-fixtures.js';
import { settledCheckout } from '../helpers/checkout-flow.js';
import {
  type CheckoutHarness,
  startCheckoutHarness,
  TENANT,
  TOKEN,
} from '../helpers/checkout-harness.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import { specsAvailable } from '../helpers/specs.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'acp-webhook-secret-0000000001';
const EVENTS_PATH = '/agentic_checkout/webhooks/order_events';
/** The spec's recommended tolerance for the signed timestamp. */
const TOLERANCE_SECONDS = 300;

interface ReceivedEvent {
  /** Verified as openapi.agentic_checkout_webhook.yaml says; the reason when not. */
  verified: true | string;
  requestId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: { type: string; data: Record<string, unknown> & { checkout_session_id: string } };
  answered: number;
}

/**
 * The spec's receiver: `Merchant-Signature: t=<unix_seconds>,v1=<64_hex>`, HMAC-SHA256 of
 * `timestamp + "." + raw_body` with the shared secret; 401 when missing, malformed, outside the
 * window or wrong. Written from the spec, not from our signing code.
 */
function verify(header: string | undefined, raw: Buffer, nowMs: number): true | string {
  if (header === undefined) return 'missing';
  const match = /^t=(\d+),v1=([a-fA-F0-9]{64})$/.exec(header);
  if (match === null) return 'malformed';
  const [, t, v1] = match as unknown as [string, string, string];
  if (Math.abs(nowMs / 1000 - Number(t)) > TOLERANCE_SECONDS) return 'outside the window';
  const mac = createHmac('sha256', SECRET)
    .update(Buffer.concat([Buffer.from(`${t}.`), raw]))
    .digest();
  return timingSafeEqual(mac, Buffer.from(v1, 'hex')) ? true : 'wrong signature';
}

describe('ACP order events', () => {
  let platform: LoopbackServer;
  let h: CheckoutHarness;
  const received: ReceivedEvent[] = [];
  /** Checkout sessions whose events the platform answers with 500. */
  const failing = new Set<string>();

  beforeAll(async () => {
    platform = await loopbackServer((request, response) => {
      const body = JSON.parse(request.body.toString('utf8')) as ReceivedEvent['body'];
      const verified = verify(
        request.headers['merchant-signature'] as string,
        request.body,
        Date.now(),
      );
      const answered =
        verified !== true ? 401 : failing.has(body.data.checkout_session_id) ? 500 : 200;
      received.push({
        verified,
        requestId: request.headers['request-id'] as string | undefined,
        timestamp: request.headers.timestamp as string | undefined,
        signature: request.headers['merchant-signature'] as string | undefined,
        body,
        answered,
      });
      response.writeHead(answered, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          answered === 200
            ? { received: true }
            : { type: 'processing_error', code: 'x', message: 'x' },
        ),
      );
    });
    h = await startCheckoutHarness({
      env: {
        ACP_WEBHOOK_URL: `${platform.url}${EVENTS_PATH}`,
        ACP_WEBHOOK_SECRET: SECRET,
        ACP_ORDER_URL_TEMPLATE: 'https://shop.example.com/orders/{order_id}',
        OUTBOX_MAX_ATTEMPTS: '3',
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await platform.close();
  });

  const post = async (url: string, payload: unknown, key: string) => {
    const response = await h.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': key },
    });
    return { status: response.statusCode, body: response.json() as TransitionResult };
  };

  /** Create, add two backpacks, prepare and complete through the checkout API; the completed checkout. */
  const buy = async (key: string, beforeComplete: (id: string) => void = () => {}) => {
    const created = await post('/v1/checkouts', { context: EU_AGENT }, `${key}-create`);
    const id = created.body.checkout?.id as string;
    await post(
      `/v1/checkouts/${id}/items`,
      { productId: 'BAG-TRAVEL-42', quantity: 2 },
      `${key}-add`,
    );
    await post(`/v1/checkouts/${id}/prepare`, {}, `${key}-prepare`);
    beforeComplete(id);
    const completed = await post(
      `/v1/checkouts/${id}/complete`,
      { allowance: allowanceFor(id, 30000, Date.now()), actor: AGENT_ACTOR },
      `${key}-complete`,
    );
    expect(completed.status).toBe(200);
    return id;
  };
  const eventsOf = (id: string, type?: string) =>
    received.filter(
      (event) =>
        event.body.data.checkout_session_id === id &&
        (type === undefined || event.body.type === type),
    );
  const expectWebhookEvent = (body: unknown) => {
    if (!specsAvailable) return;
    const validate = acpWebhookEventValidator();
    expect(validate(body), schemaErrors(validate)).toBe(true);
  };

  describe('when a checkout completes and is later partly refunded', () => {
    let checkout: CheckoutRecord;
    let created: ReceivedEvent;
    let updated: ReceivedEvent;

    beforeAll(async () => {
      const id = await buy('ok');
      checkout = await settledCheckout(h, id, 'completed');
      created = await waitFor('order_create', async () => eventsOf(id, 'order_create')[0]);
      const refund = await post(
        `/v1/checkouts/${id}/payment`,
        { action: 'refund', amount: 5000 },
        'ok-refund',
      );
      expect(refund.body.outcome).toBe('applied');
      updated = await waitFor('order_update', async () => eventsOf(id, 'order_update')[0]);
    });

    it('sends order_create once, signed as the spec says, with the full order', () => {
      expect(eventsOf(checkout.id, 'order_create')).toHaveLength(1);
      expect(created.verified).toBe(true);
      expect(created.answered).toBe(200);
      expect(created.body).toEqual({
        type: 'order_create',
        data: {
          type: 'order',
          id: checkout.orderId,
          checkout_session_id: checkout.id,
          permalink_url: `https://shop.example.com/orders/${checkout.orderId}`,
          status: 'confirmed',
          line_items: [
            {
              id: 'BAG-TRAVEL-42',
              title: 'Travel Backpack',
              product_id: 'BAG-TRAVEL-42',
              quantity: { ordered: 2, current: 2, fulfilled: 0 },
              unit_price: 12900,
              subtotal: 25800,
              status: 'processing',
            },
          ],
          adjustments: [],
          totals: [
            { type: 'subtotal', display_text: 'Subtotal', amount: 25800 },
            { type: 'total', display_text: 'Total', amount: 25800 },
          ],
        },
      });
      expectWebhookEvent(created.body);
    });

    it('heads it with Timestamp (the signed instant) and a Request-Id that names the event', () => {
      const t = Number(/^t=(\d+),/.exec(created.signature ?? '')?.[1]);
      expect(created.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Date.parse(created.timestamp as string)).toBe(t * 1000);
      expect(created.requestId).toBe(`${checkout.id}.a1.order_created.acp`);
    });

    it('sends order_update with the refund as an adjustment and amount_refunded', () => {
      expect(updated.verified).toBe(true);
      expect(updated.body.type).toBe('order_update');
      expect(updated.body.data).toMatchObject({
        id: checkout.orderId,
        status: 'confirmed',
        adjustments: [
          {
            id: `${checkout.orderId}.refunds`,
            type: 'refund',
            status: 'completed',
            amount: 5000,
            currency: 'eur',
          },
        ],
        totals: [
          { type: 'subtotal', amount: 25800 },
          { type: 'total', amount: 25800 },
          { type: 'amount_refunded', display_text: 'Refunded', amount: 5000 },
        ],
      });
      expectWebhookEvent(updated.body);
    });

    it('records both events as delivered effects of the outbox', async () => {
      const view = await h.outbox().view(`${checkout.id}.a1.order_created.acp`);
      expect(view).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(updated.requestId).toMatch(
        new RegExp(`^${checkout.id}\\.a1\\.order_updated\\.acp\\.v\\d+$`),
      );
      const update = await waitFor('order_update settled', async () => {
        const found = await h.outbox().view(updated.requestId as string);
        return found?.status === 'delivered' ? found : undefined;
      });
      expect(update.effect.webhookProfile).toBe('acp');
    });

    it('keeps the agent webhook subscribers’ own order.completed event as it was', () => {
      expect(h.webhook.badSignatures).toBe(0);
      expect(h.webhook.received.map((event) => event.webhookId)).toContain(
        `${checkout.id}.a1.webhook.agent-hooks`,
      );
    });
  });

  describe('when the platform keeps failing', () => {
    let id: string;
    let dead: EffectView;
    let attempts: ReceivedEvent[];
    const effectId = () => `${id}.a1.order_created.acp`;

    beforeAll(async () => {
      id = await buy('failing', (session) => failing.add(session));
      await settledCheckout(h, id, 'completed');
      dead = await waitFor('dead letter', async () => {
        const view = await h.outbox().view(effectId());
        return view?.status === 'dead' ? view : undefined;
      });
      attempts = eventsOf(id, 'order_create');
    });

    it('retries the event with the same Request-Id, signed afresh, then dead-letters it', async () => {
      expect(attempts).toHaveLength(3);
      for (const attempt of attempts) {
        expect(attempt.verified).toBe(true);
        expect(attempt.answered).toBe(500);
        expect(attempt.requestId).toBe(effectId());
      }
      expect(dead.history.map((entry) => entry.result)).toEqual([
        'transient',
        'transient',
        'exhausted',
      ]);
      // The order itself stays completed: an event that fails is the operator's, not the buyer's.
      expect((await h.service.get(TENANT, id))?.state).toBe('completed');
    });

    it('delivers the same event once replayed after the platform recovers', async () => {
      failing.delete(id);
      const replay = await h.app.inject({
        method: 'POST',
        url: `/v1/ops/dead-letter/${effectId()}/replay`,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(replay.statusCode).toBe(202);
      const delivered = await waitFor('replayed event answered', async () =>
        eventsOf(id, 'order_create').find((event) => event.answered === 200),
      );
      expect(delivered.verified).toBe(true);
      expect(delivered.requestId).toBe(effectId());
      expect(delivered.body).toEqual(attempts[0]?.body);
      expectWebhookEvent(delivered.body);
      await waitFor('delivered', async () =>
        (await h.outbox().view(effectId()))?.status === 'delivered' ? true : undefined,
      );
    });
  });
});
