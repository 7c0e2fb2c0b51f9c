import { randomUUID } from 'node:crypto';
import jcs from 'canonicalize';
import { compactVerify, createLocalJWKSet, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { delegateBody } from '../helpers/delegate-payment-fixtures.js';
import {
  delegatedMandates,
  lineItems,
  type MandateKnobs,
  type TestKey,
  testKey,
} from '../helpers/mandate-issuer.js';
import { ALL_CAPABILITIES, startUcpHarness, type UcpHarness } from '../helpers/ucp-harness.js';
import { paymentWith, platformProfile } from '../helpers/ucp-platform.js';
import { expectUcp, type UcpResponseKind } from '../helpers/ucp-schemas.js';

/**
 * UCP's AP2 mandates extension end to end, the test acting as a trusted platform provider: its
 * profile declares `dev.ucp.shopping.ap2_mandate` and lists its signing key; it verifies the
 * business's `merchant_authorization` the way ap2-mandates.md says a platform must (detached JWS
 * over the JCS bytes of the answer without `ap2`, the business's published keys), signs the
 * mandates over the checkout it was shown, and completes with them. Every answer is validated
 * against the 2026-04-08 schemas, signed answers against the extension's checkout schema.
 */

const BACKPACK = 'BAG-TRAVEL-42';
const PRICE = 12900;
const REST = '/ucp/v1';
const AP2_PLATFORM = '/profiles/ap2-platform.json';
const AP2_KEYLESS = '/profiles/ap2-keyless.json';

// RFC 8785 by its author's package (CommonJS: the default import is the function).
const canonicalize = jcs as unknown as (input: unknown) => string;

// biome-ignore lint/suspicious/noExplicitAny: test assertions read the JSON freely
type Json = any;

const ap2Capabilities = {
  ...ALL_CAPABILITIES,
  [UCP_CAPABILITY.ap2Mandate]: [{ extends: UCP_CAPABILITY.checkout }],
};

describe("UCP's AP2 mandates extension over HTTP", () => {
  let h: UcpHarness;
  let platformKey: TestKey;
  let agent: TestKey;
  let businessKeys: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    [platformKey, agent] = await Promise.all([testKey('platform-1'), testKey('agent-key')]);
    h = await startUcpHarness();
    h.profiles[AP2_PLATFORM] = {
      body: { ...platformProfile(ap2Capabilities), signing_keys: [platformKey.publicJwk] },
    };
    h.profiles[AP2_KEYLESS] = { body: platformProfile(ap2Capabilities) };
    const jwks = await h.call('GET', '/.well-known/jwks.json', undefined, { auth: 'none' });
    businessKeys = createLocalJWKSet(jwks.body as { keys: JWK[] });
  });
  afterAll(() => h?.close());

  function answer(res: { status: number; text: string; body: Json }, kind: UcpResponseKind) {
    expect(res.status, res.text).toBe(200);
    expectUcp(kind, res.body);
    return res.body;
  }

  /** The checkout as the business answered it, its signature checked the platform's way. */
  async function verifiedCheckout(body: Json): Promise<{ checkoutJwt: string }> {
    expectUcp('ap2_checkout', body);
    const detached: string = body.ap2.merchant_authorization;
    const [header, empty, signature] = detached.split('.');
    expect(empty).toBe('');
    const { ap2: _ap2, ...payload } = body;
    const checkoutJwt = `${header}.${Buffer.from(canonicalize(payload)).toString('base64url')}.${signature}`;
    const verified = await compactVerify(checkoutJwt, businessKeys);
    expect(verified.protectedHeader).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
    return { checkoutJwt };
  }

  const call = (method: string, path: string, body?: unknown, profile = AP2_PLATFORM) =>
    h.call(method, `${REST}${path}`, body, { profile });

  async function openCheckout(quantity = 1, profile = AP2_PLATFORM) {
    const res = await call(
      'POST',
      '/checkout-sessions',
      { line_items: [{ item: { id: BACKPACK }, quantity }], context: { address_country: 'DE' } },
      profile,
    );
    expect(res.status, res.text).toBe(201);
    expectUcp('checkout', res.body);
    return res.body as Json;
  }

  /** The mandates a platform signs (it chooses the nonce) over the checkout it was shown. */
  async function mandatesOver(checkoutJwt: string, quantity = 1, knobs: MandateKnobs = {}) {
    return delegatedMandates(
      {
        issuer: platformKey,
        agent,
        checkoutJwt,
        merchant: { id: 'acme', name: 'acme' },
        nonce: randomUUID(),
        nowS: Math.floor(h.ctx.clock.nowMs() / 1000),
        instrument: { id: 'card-1', type: 'card' },
      },
      {
        checkoutConstraints: [lineItems([BACKPACK], quantity)],
        amount: PRICE * quantity,
        ...knobs,
      },
    );
  }

  const completeBody = (
    mandates: { checkoutMandate: string; paymentMandate: string },
    withCheckoutMandate = true,
  ) => ({
    payment: paymentWith(mandates.paymentMandate, 'ap2_payment_mandate'),
    ...(withCheckoutMandate ? { ap2: { checkout_mandate: mandates.checkoutMandate } } : {}),
  });

  async function complete(
    id: string,
    body: unknown,
    key: string = randomUUID(),
    profile = AP2_PLATFORM,
  ) {
    const res = await h.call('POST', `${REST}/checkout-sessions/${id}/complete`, body, {
      profile,
      key,
    });
    expect(res.status, res.text).toBe(200);
    expectUcp('checkout', res.body);
    return res;
  }

  describe('negotiation', () => {
    it('advertises the extension on checkout, for SD-JWT credentials', async () => {
      const res = await h.call('GET', '/.well-known/ucp', undefined, { auth: 'none' });
      expect(res.body.ucp.capabilities[UCP_CAPABILITY.ap2Mandate]).toEqual([
        expect.objectContaining({
          extends: UCP_CAPABILITY.checkout,
          config: { vp_formats_supported: { 'dc+sd-jwt': {} } },
        }),
      ]);
    });

    it('signs every checkout answer once negotiated, and lists the extension in it', async () => {
      const created = await openCheckout();
      expect(Object.keys(created.ucp.capabilities).sort()).toEqual(
        [UCP_CAPABILITY.ap2Mandate, UCP_CAPABILITY.checkout].sort(),
      );
      await verifiedCheckout(created);
      const read = await call('GET', `/checkout-sessions/${created.id}`);
      await verifiedCheckout(answer(read, 'checkout'));
      const updated = await call('PUT', `/checkout-sessions/${created.id}`, {
        line_items: [{ item: { id: BACKPACK }, quantity: 2 }],
      });
      const body = answer(updated, 'checkout');
      expect(body.totals).toContainEqual(expect.objectContaining({ type: 'total', amount: 25800 }));
      await verifiedCheckout(body);
    });

    it('signs nothing for a platform that did not negotiate it', async () => {
      const created = await openCheckout(1, '/profiles/shopper.json');
      expect(created.ap2).toBeUndefined();
      expect(Object.keys(created.ucp.capabilities)).toEqual([UCP_CAPABILITY.checkout]);
    });

    it('detects any change to a signed answer', async () => {
      const created = await openCheckout();
      const { ap2, ...payload } = created;
      const changed = { ...payload, totals: [{ type: 'total', amount: 1 }] };
      const [header, , signature] = String(ap2.merchant_authorization).split('.');
      const forged = `${header}.${Buffer.from(canonicalize(changed)).toString('base64url')}.${signature}`;
      await expect(compactVerify(forged, businessKeys)).rejects.toThrow();
    });
  });

  describe('complete', () => {
    it('pays once with mandates over the checkout as answered, and replays by key', async () => {
      const before = h.sandbox.payment.stats.applied;
      const created = await openCheckout();
      const { checkoutJwt } = await verifiedCheckout(created);
      const body = completeBody(await mandatesOver(checkoutJwt));
      const key = `ap2-${created.id}`;
      const done = (await complete(created.id, body, key)).body;
      expect(done.status, JSON.stringify(done.messages)).toBe('completed');
      expect(done.order.id).toMatch(/^ord_/);
      await verifiedCheckout(done);
      expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBe(1);
      expect(h.sandbox.payment.stats.applied - before).toBe(2);

      const again = await complete(created.id, body, key);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(JSON.stringify(done));
      const other = await complete(created.id, body);
      expect(other.body.status).toBe('completed');
      expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBe(1);
    });

    it('refuses a complete without a checkout mandate: mandate_required, nothing charged', async () => {
      const created = await openCheckout();
      const { checkoutJwt } = await verifiedCheckout(created);
      const res = await complete(created.id, completeBody(await mandatesOver(checkoutJwt), false));
      expect(res.body.status).not.toBe('completed');
      expect(res.body.messages).toContainEqual(
        expect.objectContaining({ code: 'mandate_required', path: '$.ap2.checkout_mandate' }),
      );
      expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBeUndefined();
    });

    const REFUSED: [string, (jwt: string) => Promise<Json>, string][] = [
      [
        'a checkout the business never signed (merchant_authorization_invalid)',
        async (jwt) => {
          const [header, payload, signature] = jwt.split('.');
          const checkout = JSON.parse(Buffer.from(String(payload), 'base64url').toString());
          checkout.totals = [{ type: 'total', display_text: 'Total', amount: 1 }];
          const forged = Buffer.from(canonicalize(checkout)).toString('base64url');
          return completeBody(await mandatesOver(`${header}.${forged}.${signature}`));
        },
        'merchant_authorization_invalid',
      ],
      [
        'a payment for another amount (mandate_scope_mismatch)',
        async (jwt) => completeBody(await mandatesOver(jwt, 1, { amount: PRICE - 1 })),
        'mandate_scope_mismatch',
      ],
      [
        'an expired mandate (mandate_expired)',
        async (jwt) => {
          const nowS = Math.floor(h.ctx.clock.nowMs() / 1000);
          const window = { openIat: nowS - 7200, openExp: nowS - 3600 };
          return completeBody(await mandatesOver(jwt, 1, window));
        },
        'mandate_expired',
      ],
      [
        'a mandate for another merchant (mandate_scope_mismatch)',
        async (jwt) => completeBody(await mandatesOver(jwt, 1, { aud: 'globex' })),
        'mandate_scope_mismatch',
      ],
      [
        'a broken signature (mandate_invalid_signature)',
        async (jwt) =>
          completeBody(
            await mandatesOver(jwt, 1, {
              tamper: (presented) =>
                presented.replace(/^([\w-]+\.[\w-]+\.)[\w-]{4}/, (_all, head) => `${head}AAAA`),
            }),
          ),
        'mandate_invalid_signature',
      ],
    ];

    for (const [what, bodyOf, code] of REFUSED) {
      it(`refuses ${what}, charging nothing`, async () => {
        const created = await openCheckout();
        const { checkoutJwt } = await verifiedCheckout(created);
        const res = await complete(created.id, await bodyOf(checkoutJwt));
        expect(res.body.status).not.toBe('completed');
        expect(res.body.messages).toContainEqual(
          expect.objectContaining({ type: 'error', code, path: '$.payment.instruments[0]' }),
        );
        await verifiedCheckout(res.body);
        expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBeUndefined();
      });
    }

    it('refuses mandates over the checkout before its lines changed (mandate_scope_mismatch)', async () => {
      const created = await openCheckout();
      const { checkoutJwt } = await verifiedCheckout(created);
      const mandates = await mandatesOver(checkoutJwt);
      const updated = await call('PUT', `/checkout-sessions/${created.id}`, {
        line_items: [{ item: { id: BACKPACK }, quantity: 2 }],
      });
      expect(updated.status, updated.text).toBe(200);
      const res = await complete(created.id, completeBody(mandates));
      expect(res.body.messages).toContainEqual(
        expect.objectContaining({ code: 'mandate_scope_mismatch' }),
      );
      expect(res.body.messages.map((m: Json) => m.content).join(' ')).toContain('line_items');
      expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBeUndefined();
    });

    it('keeps a session opened under the extension locked into mandates (no reverting)', async () => {
      const created = await openCheckout();
      const minted = await h.mintToken(
        delegateBody({ nowMs: h.ctx.clock.nowMs(), maxAmount: PRICE, sessionId: created.id }),
      );
      expect(minted.status, minted.text).toBe(201);
      const token = completeBody({ checkoutMandate: '', paymentMandate: minted.body.id }, false);
      const res = await complete(created.id, token, randomUUID(), '/profiles/shopper.json');
      expect(res.body.messages).toContainEqual(
        expect.objectContaining({ code: 'mandate_required' }),
      );
      expect(res.body.status).not.toBe('completed');
      expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBeUndefined();

      // A session never opened under the extension completes with the token as before.
      const plain = await openCheckout(1, '/profiles/shopper.json');
      const plainToken = await h.mintToken(
        delegateBody({ nowMs: h.ctx.clock.nowMs(), maxAmount: PRICE, sessionId: plain.id }),
      );
      const paid = await complete(
        plain.id,
        completeBody({ checkoutMandate: '', paymentMandate: plainToken.body.id }, false),
        randomUUID(),
        '/profiles/shopper.json',
      );
      expect(paid.body.status).toBe('completed');
    });

    it("refuses mandates signed by a key the platform's profile does not list (agent_missing_key)", async () => {
      const created = await openCheckout(1, AP2_KEYLESS);
      const { checkoutJwt } = await verifiedCheckout(created);
      const res = await complete(
        created.id,
        completeBody(await mandatesOver(checkoutJwt)),
        randomUUID(),
        AP2_KEYLESS,
      );
      expect(res.body.messages).toContainEqual(
        expect.objectContaining({ code: 'agent_missing_key' }),
      );
      expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBeUndefined();
    });
  });
});
