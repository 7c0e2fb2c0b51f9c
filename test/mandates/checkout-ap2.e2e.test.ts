import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantSignerOf } from '../../src/app/merchant-signer.js';
import { AGENT_ACTOR, EU_AGENT } from '../helpers/checkout-fixtures.js';
import { settledCheckout } from '../helpers/checkout-flow.js';
import { type CheckoutHarness, startCheckoutHarness, TOKEN } from '../helpers/checkout-harness.js';
import { ap2Over, type MandateKnobs, type TestKey, testKey } from '../helpers/mandate-issuer.js';

/**
 * AP2 mandates through the checkout API end to end: the real Redis, the checkout workers and the
 * loopback providers. A checkout is prepared, signed for a mandate, and completed with mandates
 * a test issuer signs; a valid pair pays once, every broken one is a blocked decision with its
 * blocker, an error receipt, and nothing reserved or charged.
 */

describe('AP2 mandates on the checkout API', () => {
  let h: CheckoutHarness;
  let issuer: TestKey;
  let agent: TestKey;
  beforeAll(async () => {
    [issuer, agent] = await Promise.all([testKey('agent-provider-1'), testKey('agent-key')]);
    h = await startCheckoutHarness({
      env: { AP2_TRUSTED_ISSUERS_JWKS: JSON.stringify({ keys: [issuer.publicJwk] }) },
    });
  });
  afterAll(() => h?.close());

  const post = (url: string, body: unknown, key: string = randomUUID()) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': key },
      payload: body as object,
    });

  /** A prepared checkout of `quantity` Travel Backpacks, signed for a mandate. */
  async function signedCheckout(quantity = 2) {
    const created = await post('/v1/checkouts', { context: EU_AGENT });
    const id = created.json().checkout.id as string;
    await post(`/v1/checkouts/${id}/items`, { productId: 'BAG-TRAVEL-42', quantity });
    const prepared = await post(`/v1/checkouts/${id}/prepare`, {});
    expect(prepared.statusCode, prepared.body).toBe(200);
    const signed = await post(`/v1/checkouts/${id}/checkout-jwt`, undefined);
    expect(signed.statusCode, signed.body).toBe(201);
    return {
      id,
      signed: signed.json() as { checkout_jwt: string; nonce: string; audience: string },
    };
  }

  async function mandatesFor(
    signed: { checkout_jwt: string; nonce: string },
    knobs: MandateKnobs = {},
  ) {
    const ap2 = await ap2Over(
      { checkoutJwt: signed.checkout_jwt, nonce: signed.nonce },
      { issuer, agent, nowMs: h.ctx.clock.nowMs() },
      knobs,
    );
    return { checkoutMandate: ap2.checkout_mandate, paymentMandate: ap2.payment_mandate };
  }

  const complete = async (
    id: string,
    mandates: { checkoutMandate: string; paymentMandate: string },
    key?: string,
  ) =>
    post(
      `/v1/checkouts/${id}/complete`,
      {
        ap2: {
          checkout_mandate: mandates.checkoutMandate,
          payment_mandate: mandates.paymentMandate,
        },
        actor: AGENT_ACTOR,
      },
      key,
    );

  it('signs a prepared checkout with the merchant key, for its total in minor units', async () => {
    const { id, signed } = await signedCheckout();
    const signer = await merchantSignerOf(h.ctx);
    const { payload } = await jwtVerify(signed.checkout_jwt, createLocalJWKSet(signer.jwks()));
    expect(payload).toMatchObject({ id, merchant: { id: 'acme' }, currency: 'EUR' });
    expect(payload.totals).toContainEqual({ type: 'total', amount: 25800 });
    expect(signed.audience).toBe('acme');
  });

  it('refuses to sign a checkout that is not prepared', async () => {
    const created = await post('/v1/checkouts', { context: EU_AGENT });
    const res = await post(`/v1/checkouts/${created.json().checkout.id}/checkout-jwt`, undefined);
    expect(res.statusCode).toBe(409);
  });

  it('pays once with a valid delegated pair, and answers a Success receipt', async () => {
    const before = h.sandbox.payment.stats.applied;
    const { id, signed } = await signedCheckout();
    const key = `ap2-${id}`;
    const res = await complete(id, await mandatesFor(signed), key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().decision.result).toBe('allowed');
    const signer = await merchantSignerOf(h.ctx);
    const { payload: receipt } = await jwtVerify(
      String(res.headers['ap2-receipt']),
      createLocalJWKSet(signer.jwks()),
    );
    expect(receipt).toMatchObject({ status: 'Success', order_id: `ord_${id.slice(3)}` });
    expect(typeof receipt.reference).toBe('string');
    await settledCheckout(h, id, 'completed');
    expect(h.sandbox.payment.capturesByCheckout.get(id)).toBe(1);
    expect(h.sandbox.payment.stats.applied - before).toBe(2);
  });

  it('does not pay twice with the same mandates: the checkout has moved on', async () => {
    const { id, signed } = await signedCheckout();
    const mandates = await mandatesFor(signed);
    expect((await complete(id, mandates)).statusCode).toBe(200);
    await settledCheckout(h, id, 'completed');
    const again = await complete(id, mandates);
    // Refused as a conflict: the checkout is completed, and its signed version is gone.
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().decision.result).toBe('blocked');
    expect(decodeJwt(String(again.headers['ap2-receipt']))).toMatchObject({ status: 'Error' });
    expect(h.sandbox.payment.capturesByCheckout.get(id)).toBe(1);
  });

  it('refuses mandates bound to a checkout signed before it was signed again', async () => {
    const { id, signed } = await signedCheckout();
    const stale = await mandatesFor(signed);
    expect((await post(`/v1/checkouts/${id}/checkout-jwt`, undefined)).statusCode).toBe(201);
    const res = await complete(id, stale);
    expect(res.statusCode).toBe(422);
    expect(res.json().decision.blockers.map((b: { code: string }) => b.code)).toEqual([
      'MANDATE_NONCE_MISMATCH',
    ]);
  });

  const REFUSED: [string, MandateKnobs, string][] = [
    ['an amount other than the total', { amount: 12900 }, 'MANDATE_AMOUNT_MISMATCH'],
    ['another audience', { aud: 'globex' }, 'MANDATE_AUDIENCE_MISMATCH'],
    [
      'an unknown constraint',
      { paymentConstraints: [{ type: 'payment.moon_phase' }] },
      'MANDATE_CONSTRAINT_UNKNOWN',
    ],
    ['an open mandate alone', { openAlone: true }, 'MANDATE_NOT_CLOSED'],
  ];

  it.each(REFUSED)(
    'refuses %s as a blocked decision, with an error receipt, charging nothing',
    async (_what, knobs, code) => {
      const reservations = h.sandbox.reservation.stats.deliveries;
      const { id, signed } = await signedCheckout();
      const res = await complete(id, await mandatesFor(signed, knobs));
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().decision.blockers.map((b: { code: string }) => b.code)).toEqual([code]);
      expect(decodeJwt(String(res.headers['ap2-receipt']))).toMatchObject({ status: 'Error' });
      expect(h.sandbox.reservation.stats.deliveries).toBe(reservations);
      expect((await h.service.get('acme', id))?.state).toBe('ready_for_payment');
    },
  );

  it('refuses a signature from an issuer the merchant does not trust', async () => {
    const { id, signed } = await signedCheckout();
    const res = await complete(id, await mandatesFor(signed, { issuer: await testKey('someone') }));
    expect(res.json().decision.blockers[0].code).toBe('MANDATE_ISSUER_UNTRUSTED');
  });
});
