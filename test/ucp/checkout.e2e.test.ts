import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { DELEGATED_PAYMENT_HANDLER } from '../../src/adapters/ucp/payment-handler.js';
import { UCP_VERSION } from '../../src/adapters/ucp/version.js';
import { delegateBody } from '../helpers/delegate-payment-fixtures.js';
import { startUcpHarness, type UcpAnswer, type UcpHarness } from '../helpers/ucp-harness.js';
import { paymentWith } from '../helpers/ucp-platform.js';
import { expectUcp, type UcpResponseKind } from '../helpers/ucp-schemas.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * UCP end to end, the test acting as the platform: its profile on a loopback server, every
 * request over undici to the app listening on loopback, the checkout workers delivering to the
 * loopback providers. Every answer, success or error, is checked against the 2026-04-08 schemas.
 */

const BACKPACK = 'BAG-TRAVEL-42';
const REST = '/ucp/v1';
const EU = { address_country: 'DE' };

/** The answer's body, after asserting its status and that it is a valid `kind`. */
function answer(res: UcpAnswer, status: number, kind: UcpResponseKind) {
  expect(res.status, res.text).toBe(status);
  expectUcp(kind, res.body);
  return res.body;
}

const createBody = (quantity = 1, context: Record<string, string> = EU) => ({
  line_items: [{ item: { id: BACKPACK }, quantity }],
  context,
});

const payWith = (token: string) => ({ payment: paymentWith(token) });

describe('UCP over HTTP, as a platform sees it', () => {
  let h: UcpHarness;
  beforeAll(async () => {
    h = await startUcpHarness();
  });
  afterAll(() => h?.close());

  const create = async (body: unknown = createBody(), tenant?: 'acme' | 'initech') =>
    answer(await h.call('POST', `${REST}/checkout-sessions`, body, { tenant }), 201, 'checkout');

  describe('discovery', () => {
    it('serves the business profile with the REST binding, our capabilities and our handler', async () => {
      const res = await h.call('GET', '/.well-known/ucp', undefined, { auth: 'none' });
      const profile = answer(res, 200, 'profile');
      expect(profile.ucp.version).toBe(UCP_VERSION);
      expect(profile.ucp.services['dev.ucp.shopping']).toEqual([
        expect.objectContaining({ transport: 'rest', endpoint: `${h.baseUrl}${REST}` }),
      ]);
      expect(Object.keys(profile.ucp.capabilities).sort()).toEqual(
        Object.values(UCP_CAPABILITY).sort(),
      );
      const [handler] = profile.ucp.payment_handlers[DELEGATED_PAYMENT_HANDLER.name];
      expect(handler.config.token_url).toBe(`${h.baseUrl}/agentic_commerce/delegate_payment`);
    });

    it("lists the merchant's public signing keys, the same as /.well-known/jwks.json", async () => {
      const profile = (await h.call('GET', '/.well-known/ucp', undefined, { auth: 'none' })).body;
      const jwks = await h.call('GET', '/.well-known/jwks.json', undefined, { auth: 'none' });
      expect(jwks.status).toBe(200);
      expect(jwks.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
      expect(jwks.body.keys).toHaveLength(1);
      expect(jwks.body.keys[0]).toMatchObject({
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
        use: 'sig',
      });
      expect(jwks.body.keys[0]).not.toHaveProperty('d');
      expect(profile.signing_keys).toEqual(jwks.body.keys);
      const again = await h.call('GET', '/.well-known/jwks.json', undefined, {
        auth: 'none',
        headers: { 'if-none-match': String(jwks.headers.etag) },
      });
      expect(again.status).toBe(304);
    });
  });

  describe('a checkout for a ready product', () => {
    it('opens ready_for_complete in EUR minor units, listing only the checkout capability', async () => {
      const res = await h.call('POST', `${REST}/checkout-sessions`, createBody(2), {
        headers: { 'request-id': 'req-open-1' },
      });
      const checkout = answer(res, 201, 'checkout');
      expect(res.headers['request-id']).toBe('req-open-1');
      expect(checkout.status).toBe('ready_for_complete');
      expect(checkout.currency).toBe('EUR');
      expect(checkout.ucp.version).toBe(UCP_VERSION);
      expect(Object.keys(checkout.ucp.capabilities)).toEqual([UCP_CAPABILITY.checkout]);
      expect(checkout.line_items).toEqual([
        expect.objectContaining({
          item: expect.objectContaining({ id: BACKPACK, price: 12900 }),
          quantity: 2,
        }),
      ]);
      const totals = checkout.totals as { type: string; amount: number }[];
      expect(totals.filter((t) => t.type === 'subtotal')).toHaveLength(1);
      expect(totals.filter((t) => t.type === 'total').map((t) => t.amount)).toEqual([25800]);
      expect(checkout.messages ?? []).toEqual([]);
      expect(checkout.continue_url).toBe(`${h.baseUrl}${REST}/checkout-sessions/${checkout.id}`);
    });

    it('reads back with GET and replaces its lines with PUT', async () => {
      const checkout = await create(createBody(2));
      const read = answer(
        await h.call('GET', `${REST}/checkout-sessions/${checkout.id}`),
        200,
        'checkout',
      );
      expect(read).toEqual(checkout);
      const updated = answer(
        await h.call('PUT', `${REST}/checkout-sessions/${checkout.id}`, {
          id: checkout.id,
          line_items: [{ item: { id: BACKPACK }, quantity: 1 }],
        }),
        200,
        'checkout',
      );
      expect(updated.line_items.map((l: { quantity: number }) => l.quantity)).toEqual([1]);
      expect(updated.totals.find((t: { type: string }) => t.type === 'total').amount).toBe(12900);
    });

    it('is not_found to another tenant, and so is an unknown id — a 200 error_response', async () => {
      const checkout = await create();
      for (const [tenant, id] of [
        ['globex', checkout.id],
        ['acme', 'chk_nope'],
      ] as const) {
        const res = await h.call('GET', `${REST}/checkout-sessions/${id}`, undefined, { tenant });
        const body = answer(res, 200, 'error');
        expect(body.ucp.status).toBe('error');
        expect(body.messages).toEqual([expect.objectContaining({ code: 'not_found' })]);
      }
      const theirs = await h.call(
        'PUT',
        `${REST}/checkout-sessions/${checkout.id}`,
        { line_items: [{ item: { id: BACKPACK }, quantity: 5 }] },
        { tenant: 'globex' },
      );
      expect(answer(theirs, 200, 'error').messages[0].code).toBe('not_found');
      const mine = answer(
        await h.call('GET', `${REST}/checkout-sessions/${checkout.id}`),
        200,
        'checkout',
      );
      expect(mine.line_items[0].quantity).toBe(1);
    });

    it('completes with a token from delegate_payment, each effect once, and replays by key', async () => {
      const before = {
        reservation: h.sandbox.reservation.stats.applied,
        payment: h.sandbox.payment.stats.applied,
      };
      const checkout = await create();
      const minted = await h.mintToken(
        delegateBody({ nowMs: h.ctx.clock.nowMs(), maxAmount: 12900, sessionId: checkout.id }),
      );
      expect(minted.status, minted.text).toBe(201);
      const key = `complete-${checkout.id}`;
      const done = answer(
        await h.call(
          'POST',
          `${REST}/checkout-sessions/${checkout.id}/complete`,
          payWith(minted.body.id),
          { key },
        ),
        200,
        'checkout',
      );
      expect(done.status).toBe('completed');
      expect(done.continue_url).toBeUndefined();
      expect(done.order.id).toMatch(/^ord_/);
      expect(done.order.permalink_url).toBe(`${h.baseUrl}${REST}/orders/${done.order.id}`);
      expect(h.sandbox.reservation.stats.applied - before.reservation).toBe(1);
      expect(h.sandbox.payment.stats.applied - before.payment).toBe(2);
      expect(h.sandbox.payment.capturesByCheckout.get(checkout.id)).toBe(1);
      // Tests run shuffled, so an earlier test's receipt may still arrive meanwhile: only this
      // checkout's count.
      const receiptsOf = () =>
        [...h.sandbox.receipt.receipts.values()].filter((r) => r.checkoutId === checkout.id);
      await waitFor('its receipt', async () => (receiptsOf().length > 0 ? true : undefined));
      expect(receiptsOf()).toHaveLength(1);

      const again = await h.call(
        'POST',
        `${REST}/checkout-sessions/${checkout.id}/complete`,
        payWith(minted.body.id),
        { key },
      );
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(JSON.stringify(done));
      expect(h.sandbox.payment.capturesByCheckout.get(checkout.id)).toBe(1);

      const order = answer(await h.call('GET', `${REST}/orders/${done.order.id}`), 200, 'order');
      expect(order.id).toBe(done.order.id);
      expect(order.checkout_id).toBe(checkout.id);
      expect(Object.keys(order.ucp.capabilities)).toEqual([UCP_CAPABILITY.order]);
      const theirs = await h.call('GET', `${REST}/orders/${done.order.id}`, undefined, {
        tenant: 'globex',
      });
      expect(answer(theirs, 200, 'error').messages[0].code).toBe('not_found');

      const cancel = answer(
        await h.call('POST', `${REST}/checkout-sessions/${checkout.id}/cancel`),
        200,
        'checkout',
      );
      expect(cancel.status).toBe('completed');
      expect(cancel.messages).toEqual([expect.objectContaining({ code: 'not_cancelable' })]);
    });

    it('cancels an open checkout', async () => {
      const checkout = await create();
      const canceled = answer(
        await h.call('POST', `${REST}/checkout-sessions/${checkout.id}/cancel`),
        200,
        'checkout',
      );
      expect(canceled.status).toBe('canceled');
    });

    it('asks again for payment when the token is unknown, and charges nothing', async () => {
      const checkout = await create();
      const res = await h.call(
        'POST',
        `${REST}/checkout-sessions/${checkout.id}/complete`,
        payWith('vt_unknown'),
      );
      const body = answer(res, 200, 'checkout');
      expect(body.status).toBe('ready_for_complete');
      expect(body.messages).toEqual([
        expect.objectContaining({ code: 'payment_failed', severity: 'recoverable' }),
      ]);
      expect(h.sandbox.payment.capturesByCheckout.get(checkout.id)).toBeUndefined();
    });
  });

  describe("DESIGN.md's Travel Backpack (tenant initech, the demo catalog)", () => {
    it('stays incomplete with messages for the missing return policy and the stale stock', async () => {
      const reservations = h.sandbox.reservation.stats.deliveries;
      const checkout = await create(createBody(1), 'initech');
      expect(checkout.status).toBe('incomplete');
      const contents = (checkout.messages as { content: string }[])
        .map((m) => m.content)
        .join('\n');
      expect(contents).toMatch(/return-policy/i);
      expect(contents).toMatch(/inventory fact expired/i);
      const minted = await h.mintToken(
        delegateBody({ nowMs: h.ctx.clock.nowMs(), sessionId: checkout.id }),
        'initech',
      );
      expect(minted.status, minted.text).toBe(201);
      const done = answer(
        await h.call(
          'POST',
          `${REST}/checkout-sessions/${checkout.id}/complete`,
          payWith(minted.body.id),
          { tenant: 'initech' },
        ),
        200,
        'checkout',
      );
      expect(done.status).toBe('incomplete');
      expect(done.order).toBeUndefined();
      expect(h.sandbox.reservation.stats.deliveries).toBe(reservations);
    });
  });
});
