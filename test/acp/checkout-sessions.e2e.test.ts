import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import {
  type AcpSessionHarness,
  EU_ADDRESS,
  startAcpSessionHarness,
} from '../helpers/acp-session-harness.js';
import { delegateBody } from '../helpers/delegate-payment-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The ACP checkout sessions end to end over HTTP: the app on the run's Redis, the checkout
 * workers delivering to loopback providers. Every body, success or error, is checked against the
 * 2026-04-17 JSON Schemas.
 */

type Def = 'CheckoutSession' | 'CheckoutSessionWithOrder' | 'Error';

/** The answer's JSON, after asserting its status and that it is a valid `def`. */
function answer(response: LightMyRequestResponse, status: number, def: Def) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expectAcp2026('agentic_checkout', def, body);
  return body;
}

const BACKPACK = 'BAG-TRAVEL-42';
const createBody = (units = 2, address = EU_ADDRESS) => ({
  currency: 'eur',
  capabilities: {},
  line_items: Array.from({ length: units }, () => ({ id: BACKPACK })),
  fulfillment_details: { name: address.name, address },
});

describe('ACP checkout sessions', () => {
  let h: AcpSessionHarness;
  beforeAll(async () => {
    h = await startAcpSessionHarness();
  });
  afterAll(() => h?.close());

  const create = async (body: unknown = createBody(), tenant?: 'acme' | 'initech') =>
    answer(await h.post('/checkout_sessions', body, { tenant }), 201, 'CheckoutSession');

  describe('when an agent opens a session for a ready product', () => {
    it('answers 201 with the lines, totals in minor units and ready_for_payment', async () => {
      const session = await create();
      expect(session).toMatchObject({
        status: 'ready_for_payment',
        currency: 'eur',
        protocol: { version: '2026-04-17' },
        messages: [],
      });
      expect(session.line_items).toEqual([
        expect.objectContaining({ id: BACKPACK, item: { id: BACKPACK }, quantity: 2 }),
      ]);
      expect(session.line_items[0].unit_amount).toBe(12900);
      expect(session.totals.find((t: { type: string }) => t.type === 'total').amount).toBe(25800);
      expect(session.fulfillment_options.map((o: { id: string }) => o.id)).toEqual([
        'standard_shipping',
      ]);
    });

    it('reads back with GET, and is 404 to another tenant', async () => {
      const session = await create();
      const read = answer(await h.get(`/checkout_sessions/${session.id}`), 200, 'CheckoutSession');
      expect(read).toEqual(session);
      const theirs = answer(
        await h.get(`/checkout_sessions/${session.id}`, 'globex'),
        404,
        'Error',
      );
      expect(theirs).toMatchObject({ type: 'invalid_request', code: 'not_found' });
      answer(await h.get('/checkout_sessions/cs_nope'), 404, 'Error');
      const update = await h.post(`/checkout_sessions/${session.id}`, {}, { tenant: 'globex' });
      answer(update, 404, 'Error');
    });
  });

  describe('when the agent updates the session', () => {
    it('sets the items to the ones sent and prepares again', async () => {
      const session = await create();
      const updated = answer(
        await h.post(`/checkout_sessions/${session.id}`, {
          line_items: [{ id: BACKPACK }],
          selected_fulfillment_options: [
            { type: 'shipping', option_id: 'standard_shipping', item_ids: [BACKPACK] },
          ],
        }),
        200,
        'CheckoutSession',
      );
      expect(updated.status).toBe('ready_for_payment');
      expect(updated.line_items[0].quantity).toBe(1);
      expect(updated.totals.find((t: { type: string }) => t.type === 'total').amount).toBe(12900);
    });

    it('keeps the lines the buyer had when an item it adds is refused, and says so', async () => {
      const session = await create();
      const updated = answer(
        await h.post(`/checkout_sessions/${session.id}`, {
          line_items: [{ id: BACKPACK }, { id: 'NO-SUCH-ITEM' }],
        }),
        200,
        'CheckoutSession',
      );
      // Nothing changed: the cart as it stands is still the one prepared for payment.
      expect(updated.status).toBe('ready_for_payment');
      expect(
        updated.line_items.map((l: { id: string; quantity: number }) => [l.id, l.quantity]),
      ).toEqual([[BACKPACK, 2]]);
      expect(updated.messages).toEqual([
        expect.objectContaining({
          code: 'not_found',
          content: expect.stringMatching(/^NO-SUCH-ITEM: /),
        }),
      ]);
    });

    it('answers an address in another region with a message: the session keeps its region', async () => {
      const session = await create();
      const us = { ...EU_ADDRESS, country: 'US' };
      const updated = answer(
        await h.post(`/checkout_sessions/${session.id}`, { fulfillment_details: { address: us } }),
        200,
        'CheckoutSession',
      );
      expect(updated.messages).toEqual([
        expect.objectContaining({
          code: 'unsupported',
          param: '$.fulfillment_details.address.country',
        }),
      ]);
    });

    it('answers an unknown fulfillment option with a recoverable message', async () => {
      const session = await create();
      const updated = answer(
        await h.post(`/checkout_sessions/${session.id}`, {
          selected_fulfillment_options: [{ type: 'shipping', option_id: 'drone', item_ids: [] }],
        }),
        200,
        'CheckoutSession',
      );
      expect(updated.messages).toEqual([
        expect.objectContaining({
          type: 'error',
          code: 'invalid',
          param: '$.selected_fulfillment_options[0].option_id',
        }),
      ]);
    });
  });

  describe('when the agent completes with a delegated payment token', () => {
    it('completes against the loopback providers with an order, each effect once', async () => {
      const before = {
        reservation: h.sandbox.reservation.stats.applied,
        payment: h.sandbox.payment.stats.applied,
      };
      const session = await create();
      const token = await h.vaultToken(session.id, { maxAmount: 25800 });
      const body = {
        buyer: { email: 'ada@example.com' },
        payment_data: {
          handler_id: 'vault_token',
          instrument: { type: 'card', credential: { type: 'vault_token', token } },
        },
      };
      const key = `complete-${session.id}`;
      const done = answer(
        await h.post(`/checkout_sessions/${session.id}/complete`, body, { key }),
        200,
        'CheckoutSessionWithOrder',
      );
      expect(done.status).toBe('completed');
      expect(done.order).toMatchObject({ checkout_session_id: session.id, status: 'confirmed' });
      expect(done.order.id).toMatch(/^ord_/);
      expect(h.sandbox.reservation.stats.applied - before.reservation).toBe(1);
      expect(h.sandbox.payment.stats.applied - before.payment).toBe(2);
      expect(h.sandbox.payment.capturesByCheckout.get(session.id)).toBe(1);
      // The receipt follows the capture that completed the checkout. Tests run shuffled, so an
      // earlier test's receipt may still arrive meanwhile: only this checkout's count.
      const receiptsOf = () =>
        [...h.sandbox.receipt.receipts.values()].filter((r) => r.checkoutId === session.id);
      await waitFor('its receipt', async () => (receiptsOf().length > 0 ? true : undefined));
      expect(receiptsOf()).toHaveLength(1);

      const again = await h.post(`/checkout_sessions/${session.id}/complete`, body, { key });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(JSON.stringify(done));
      const read = answer(
        await h.get(`/checkout_sessions/${session.id}`),
        200,
        'CheckoutSessionWithOrder',
      );
      expect(read.order.id).toBe(done.order.id);
      expect(h.sandbox.payment.capturesByCheckout.get(session.id)).toBe(1);
    });

    it('completes with a token minted by POST /agentic_commerce/delegate_payment', async () => {
      const session = await create();
      const minted = await h.post('/agentic_commerce/delegate_payment', {
        ...delegateBody({ nowMs: h.ctx.clock.nowMs(), maxAmount: 25800, sessionId: session.id }),
      });
      expect(minted.statusCode, minted.body).toBe(201);
      const token = minted.json().id as string;
      expect(token).toMatch(/^vt_/);
      const done = answer(
        await h.post(`/checkout_sessions/${session.id}/complete`, {
          payment_data: {
            handler_id: 'vault_token',
            instrument: { type: 'card', credential: { type: 'vault_token', token } },
          },
        }),
        200,
        'CheckoutSessionWithOrder',
      );
      expect(done.status).toBe('completed');
      expect(h.sandbox.payment.capturesByCheckout.get(session.id)).toBe(1);
    });

    const completeWith = async (sessionId: string, token: string) =>
      answer(
        await h.post(`/checkout_sessions/${sessionId}/complete`, {
          payment_data: {
            handler_id: 'vault_token',
            instrument: { type: 'card', credential: { type: 'vault_token', token } },
          },
        }),
        200,
        'CheckoutSession',
      );

    it('answers an unknown token with a message on the credential, nothing started', async () => {
      const session = await create();
      const refused = await completeWith(session.id, 'vt_unknown');
      expect(refused.status).toBe('ready_for_payment');
      expect(refused.messages).toEqual([
        expect.objectContaining({
          code: 'invalid',
          param: '$.payment_data.instrument.credential.token',
        }),
      ]);
    });

    it("answers another tenant's token as unknown", async () => {
      const session = await create();
      const token = await h.vaultToken(session.id, { tenant: 'globex' });
      expect((await completeWith(session.id, token)).messages[0].code).toBe('invalid');
    });

    it('answers an allowance below the total with the domain blocker, as maximum_exceeded', async () => {
      const session = await create();
      const token = await h.vaultToken(session.id, { maxAmount: 100 });
      const refused = await completeWith(session.id, token);
      expect(refused.status).toBe('ready_for_payment');
      expect(refused.messages.map((m: { code: string }) => m.code)).toEqual(['maximum_exceeded']);
    });

    it('answers an allowance bound to another session as invalid', async () => {
      const [one, two] = [await create(), await create()];
      const token = await h.vaultToken(one.id);
      const refused = await completeWith(two.id, token);
      expect(refused.status).toBe('ready_for_payment');
      expect(refused.messages).toEqual([
        expect.objectContaining({ code: 'invalid', content: expect.stringMatching(/bound/) }),
      ]);
    });
  });

  describe('the Travel Backpack of DESIGN.md (returns missing, stock stale)', () => {
    it('answers with a message for the missing return policy and cannot complete', async () => {
      const before = h.sandbox.reservation.stats.deliveries;
      const session = await create(createBody(1), 'initech');
      expect(session.status).toBe('not_ready_for_payment');
      const contents = session.messages.map((m: { content: string }) => m.content);
      expect(contents).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/return-policy/),
          expect.stringMatching(/inventory fact expired/),
        ]),
      );
      expect(session.messages.every((m: { type: string }) => m.type === 'error')).toBe(true);

      const token = await h.vaultToken(session.id, { tenant: 'initech' });
      const completed = answer(
        await h.post(
          `/checkout_sessions/${session.id}/complete`,
          {
            payment_data: {
              handler_id: 'vault_token',
              instrument: { type: 'card', credential: { type: 'vault_token', token } },
            },
          },
          { tenant: 'initech' },
        ),
        200,
        'CheckoutSession',
      );
      expect(completed.status).toBe('not_ready_for_payment');
      expect(completed.messages.length).toBeGreaterThan(0);
      expect(h.sandbox.reservation.stats.deliveries).toBe(before);
    });
  });

  describe('when a line can be held but not paid for (no shipping policy for the US)', () => {
    it('keeps the line, is not ready, and GET says why as the domain decides it now', async () => {
      const us = {
        ...EU_ADDRESS,
        city: 'Austin',
        state: 'TX',
        country: 'US',
        postal_code: '73301',
      };
      const session = await create(
        { ...createBody(1, us), line_items: [{ id: 'JACKET-RAIN-7' }] },
        'initech',
      );
      expect(session.status).toBe('not_ready_for_payment');
      expect(session.line_items.map((line: { id: string }) => line.id)).toEqual(['JACKET-RAIN-7']);
      const shipping = {
        type: 'error',
        code: 'region_restricted',
        content: expect.stringMatching(/shipping-policy fact .* region US/),
      };
      // The cart's prepare decision is about the whole cart; GET reads it per line.
      expect(session.messages).toEqual([expect.objectContaining(shipping)]);
      const read = answer(
        await h.get(`/checkout_sessions/${session.id}`, 'initech'),
        200,
        'CheckoutSession',
      );
      expect(read.messages).toEqual([
        expect.objectContaining({ ...shipping, param: '$.line_items[0]' }),
      ]);
    });
  });

  describe('when the agent cancels', () => {
    it('cancels once, then answers 405 not_cancelable', async () => {
      const session = await create();
      const canceled = answer(
        await h.post(`/checkout_sessions/${session.id}/cancel`, undefined),
        200,
        'CheckoutSession',
      );
      expect(canceled.status).toBe('canceled');
      const again = answer(
        await h.post(`/checkout_sessions/${session.id}/cancel`, {}),
        405,
        'Error',
      );
      expect(again).toMatchObject({ code: 'not_cancelable' });
    });

    it('takes Content-Type: application/json with no body as no body', async () => {
      const session = await create();
      const canceled = await h.post(`/checkout_sessions/${session.id}/cancel`, undefined, {
        headers: { 'content-type': 'application/json' },
      });
      expect(answer(canceled, 200, 'CheckoutSession').status).toBe('canceled');
      const again = await h.post(`/checkout_sessions/${session.id}/cancel`, undefined, {
        headers: { 'content-type': 'application/json' },
      });
      expect(answer(again, 405, 'Error').code).toBe('not_cancelable');
    });

    it('still refuses a cancel body that is not JSON', async () => {
      const session = await create();
      const refused = await h.acp.inject({
        method: 'POST',
        url: `/checkout_sessions/${session.id}/cancel`,
        headers: {
          authorization: 'Bearer acme-token-0000000000000001',
          'api-version': '2026-04-17',
          'idempotency-key': 'broken-json',
          'content-type': 'application/json',
        },
        payload: '{"intent_trace":',
      });
      answer(refused, 400, 'Error');
    });
  });

  describe('when a request is malformed', () => {
    it('refuses a body without line_items with the path of the problem', async () => {
      const refused = answer(
        await h.post('/checkout_sessions', { currency: 'eur', capabilities: {} }),
        400,
        'Error',
      );
      expect(refused).toMatchObject({ type: 'invalid_request', param: '$.line_items' });
    });

    it('refuses a field the spec does not define, and payment data without a token or PO', async () => {
      answer(await h.post('/checkout_sessions', { ...createBody(), surprise: 1 }), 400, 'Error');
      const session = await create();
      answer(
        await h.post(`/checkout_sessions/${session.id}/complete`, { payment_data: {} }),
        400,
        'Error',
      );
    });

    it('answers a missing or unsupported API-Version with the supported versions', async () => {
      for (const version of [undefined, '2020-01-01']) {
        const refused = answer(
          await h.acp.inject({
            method: 'GET',
            url: '/checkout_sessions/cs_1',
            headers: {
              authorization: 'Bearer acme-token-0000000000000001',
              ...(version === undefined ? {} : { 'api-version': version }),
            },
          }),
          400,
          'Error',
        );
        expect(refused.supported_versions).toEqual(['2026-04-17']);
      }
    });

    it('answers 401 in the ACP shape without a bearer token', async () => {
      const refused = await h.acp.inject({ method: 'GET', url: '/checkout_sessions/cs_1' });
      answer(refused, 401, 'Error');
    });
  });
});
