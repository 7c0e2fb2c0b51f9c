import { beforeAll, describe, expect, it } from 'vitest';
import { checkoutClaimsOf } from '../../src/adapters/ap2/checkout-claims.js';
import { issuerTrustOf } from '../../src/adapters/ap2/trust.js';
import {
  type Ap2VerificationContext,
  verifyAp2Mandates,
} from '../../src/adapters/ap2/verify-mandates.js';
import { type MandateProofFailure, toInstant } from '../../src/domain/index.js';
import { checkoutHashOf } from '../../src/services/signing/checkout-jwt-issuer.js';
import { MerchantSigner } from '../../src/services/signing/merchant-signer.js';
import { generateSigningJwks, signingKeysOf } from '../../src/services/signing/signing-keys.js';
import { preparedBackpackCheckout } from '../helpers/checkout-fixtures.js';
import {
  delegatedMandates,
  digestWith,
  disclose,
  type MandateKnobs as Knobs,
  keyBinding,
  lineItems,
  rootToken,
  sdJwtOf,
  type TestKey,
  type Token,
  testKey,
} from '../helpers/mandate-issuer.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const NOW_S = NOW / 1000;
const MERCHANT = { id: 'acme', name: 'Acme Outdoor', website: 'https://acme.example' };
const NONCE = 'nonce-of-this-checkout';
const INSTRUMENT = { id: 'card-1', type: 'card', description: 'Visa •••• 4242' };

const prepared = preparedBackpackCheckout();

describe('verifyAp2Mandates', () => {
  let issuer: TestKey;
  let stranger: TestKey;
  let agent: TestKey;
  let user: TestKey;
  let checkoutJwt: string;
  let ctx: Ap2VerificationContext;

  beforeAll(async () => {
    [issuer, stranger, agent, user] = await Promise.all([
      testKey('agent-provider-1'),
      testKey('agent-provider-1'),
      testKey('agent-key'),
      testKey('wallet-1'),
    ]);
    const signer = new MerchantSigner(
      await signingKeysOf(await generateSigningJwks()),
      'https://shop.example',
      () => NOW,
    );
    checkoutJwt = await signer.sign(
      { ...checkoutClaimsOf(prepared, MERCHANT, '2026-12-05T12:15:00.000Z'), exp: NOW_S + 900 },
      'JWT',
    );
    ctx = {
      trust: issuerTrustOf({ keys: [issuer.publicJwk, user.publicJwk] }),
      audience: MERCHANT.id,
      nonce: NONCE,
      nowMs: NOW,
      skewSeconds: 60,
      merchant: MERCHANT,
      checkout: { kind: 'issued', checkoutJwt },
      total: { amount: 25800, currency: 'EUR' },
    };
  });

  const delegated = (k: Knobs = {}) =>
    delegatedMandates(
      {
        issuer,
        agent,
        checkoutJwt,
        merchant: MERCHANT,
        nonce: NONCE,
        nowS: NOW_S,
        instrument: INSTRUMENT,
      },
      k,
    );

  /**
   * A human-present presentation: closed mandates signed by the wallet, bound by KB-JWTs, every
   * digest (disclosures, sd_hash, checkout_hash) under `sdAlg`.
   */
  async function humanPresent(sdAlg = 'sha-256') {
    const cnf = { jwk: agent.publicJwk };
    const checkoutHash = digestWith(sdAlg, checkoutJwt);
    const checkoutToken: Token = await rootToken(
      {
        vct: 'mandate.checkout.1',
        checkout_jwt: checkoutJwt,
        checkout_hash: checkoutHash,
        cnf,
        iat: NOW_S - 10,
        exp: NOW_S + 600,
      },
      user,
      [],
      {},
      sdAlg,
    );
    const paymentToken: Token = await rootToken(
      {
        vct: 'mandate.payment.1',
        transaction_id: checkoutHash,
        payee: MERCHANT,
        payment_amount: { amount: 25800, currency: 'EUR' },
        payment_instrument: INSTRUMENT,
        cnf,
        iat: NOW_S - 10,
        exp: NOW_S + 600,
      },
      user,
      [],
      {},
      sdAlg,
    );
    const bind = (token: Token) =>
      keyBinding(token, agent, {
        aud: MERCHANT.id,
        nonce: NONCE,
        iat: NOW_S,
        sdHash: digestWith(sdAlg, sdJwtOf(token)),
      });
    return {
      checkoutMandate: `${sdJwtOf(checkoutToken)}${await bind(checkoutToken)}`,
      paymentMandate: `${sdJwtOf(paymentToken)}${await bind(paymentToken)}`,
    };
  }

  describe('a valid presentation', () => {
    it('verifies a delegated (human not present) pair, with the payment it authorizes', async () => {
      const result = await verifyAp2Mandates(await delegated(), ctx);
      expect(result).toMatchObject({
        ok: true,
        mandate: {
          checkoutHash: checkoutHashOf(checkoutJwt),
          payee: { id: 'acme' },
          amount: { amount: 25800, currency: 'EUR' },
          instrument: { id: 'card-1', type: 'card' },
          expiresAtMs: (NOW_S + 3600) * 1000,
          humanPresent: false,
          replayKeys: [NONCE],
        },
      });
      if (result.ok) expect(result.mandate.reference).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('verifies a human-present pair signed by the wallet and bound by KB-JWTs', async () => {
      const result = await verifyAp2Mandates(await humanPresent(), ctx);
      expect(result).toMatchObject({ ok: true, mandate: { humanPresent: true } });
    });

    for (const sdAlg of ['sha-384', 'sha-512'])
      it(`verifies a pair whose _sd_alg is ${sdAlg}, checkout_hash included`, async () => {
        const result = await verifyAp2Mandates(await humanPresent(sdAlg), ctx);
        expect(result).toMatchObject({
          ok: true,
          mandate: { humanPresent: true, checkoutHash: digestWith(sdAlg, checkoutJwt) },
        });
      });

    it('refuses an _sd_alg it does not implement as malformed', async () => {
      const result = await verifyAp2Mandates(await humanPresent('md5'), ctx);
      expect(result).toMatchObject({ ok: false, failure: 'malformed' });
      expect(result.ok || result.detail).toContain('md5');
    });

    it('carries what the open payment mandate allows across payments (budget, recurrence)', async () => {
      const result = await verifyAp2Mandates(
        await delegated({
          paymentConstraints: [
            { type: 'payment.amount_range', currency: 'EUR', max: 30000 },
            { type: 'payment.budget', max: 600, currency: 'EUR' },
            { type: 'payment.agent_recurrence', frequency: 'MONTHLY', max_occurrences: 3 },
          ],
        }),
        ctx,
      );
      expect(result.ok && result.mandate.reuse).toEqual({
        id: expect.stringMatching(/^ap2:open:[A-Za-z0-9_-]{43}$/),
        amount: 25800,
        budgetMax: 60000,
        maxUses: 3,
        minSpacingMs: 28 * 86_400_000,
        countedUntil: toInstant((NOW_S + 3600) * 1000),
      });
    });

    it('sets no reuse limits for an open payment mandate without budget or recurrence', async () => {
      const result = await verifyAp2Mandates(await delegated(), ctx);
      expect(result.ok).toBe(true);
      expect(result.ok && result.mandate.reuse).toBeUndefined();
    });

    it('names a presentation by the hash of its closing payment mandate, different each time', async () => {
      const [a, b] = [
        await verifyAp2Mandates(await delegated(), ctx),
        await verifyAp2Mandates(await delegated(), ctx),
      ];
      expect(a.ok && b.ok && a.mandate.reference !== b.mandate.reference).toBe(true);
    });
  });

  /** Each row breaks exactly one thing; each must be refused with its failure. */
  const REFUSALS: [string, () => Promise<Knobs> | Knobs, MandateProofFailure][] = [
    ['a wrong signature', () => ({ issuer: stranger }), 'invalid_signature'],
    [
      'an untrusted issuer',
      async () => ({ issuer: await testKey('unknown-provider') }),
      'untrusted_issuer',
    ],
    ['an expired open mandate', () => ({ openExp: NOW_S - 3600 }), 'expired'],
    ['a mandate not yet valid', () => ({ openIat: NOW_S + 3600 }), 'not_yet_valid'],
    [
      'a recurrence of a frequency AP2 does not define',
      () => ({
        paymentConstraints: [{ type: 'payment.agent_recurrence', frequency: 'HOURLY' }],
      }),
      'constraint_violated',
    ],
    ['a closing hop for another audience', () => ({ aud: 'globex' }), 'audience_mismatch'],
    [
      'a closing hop with another nonce',
      () => ({ nonce: 'someone-elses-nonce' }),
      'nonce_mismatch',
    ],
    [
      'a closing hop bound to another token (sd_hash)',
      () => ({ sdHash: 'A'.repeat(43) }),
      'sd_hash_mismatch',
    ],
    [
      'a mandate over another checkout (checkout_hash)',
      () => ({ checkoutHash: 'B'.repeat(43) }),
      'checkout_hash_mismatch',
    ],
    ['an amount other than the total', () => ({ amount: 25799 }), 'amount_mismatch'],
    ['another payee', () => ({ payee: { id: 'globex', name: 'Globex' } }), 'payee_mismatch'],
    [
      'an unknown constraint',
      () => ({ paymentConstraints: [{ type: 'payment.moon_phase', phase: 'full' }] }),
      'unknown_constraint',
    ],
    [
      'line items outside the constraint',
      () => ({ checkoutConstraints: [lineItems(['JACKET-RAIN-7'])] }),
      'constraint_violated',
    ],
    [
      'fewer units than the line-items constraint fixes',
      () => ({ checkoutConstraints: [lineItems(['BAG-TRAVEL-42'], 1)] }),
      'constraint_violated',
    ],
    [
      'an amount above the open range',
      () => ({
        paymentConstraints: [{ type: 'payment.amount_range', currency: 'EUR', max: 20000 }],
      }),
      'constraint_violated',
    ],
    ['an open mandate presented alone', () => ({ openAlone: true }), 'open_mandate_alone'],
    [
      'a closed mandate that changes what the open one fixed',
      () => ({ paymentOpenFixed: { payment_instrument: { id: 'card-9', type: 'card' } } }),
      'claims_changed',
    ],
    [
      'a closed mandate of another type',
      () => ({ paymentClosedVct: 'mandate.loan.1' }),
      'wrong_mandate_type',
    ],
    [
      'a tampered disclosure',
      () => ({
        tamper: (presented: string) => {
          const parts = presented.split('~');
          const index = parts.findIndex(
            (part, i) => i > 0 && part.length > 20 && !part.includes('.'),
          );
          const flipped = `${(parts[index] as string).slice(0, -2)}${(parts[index] as string).endsWith('AA') ? 'AB' : 'AA'}`;
          parts[index] = flipped;
          return parts.join('~');
        },
      }),
      'disclosure_tampered',
    ],
    [
      'an added disclosure no digest names',
      () => ({
        tamper: (presented: string) => presented.replace('~~', `~${disclose('x', 1).disclosure}~~`),
      }),
      'disclosure_tampered',
    ],
    ['garbage', () => ({ tamper: () => 'not-a-mandate' }), 'malformed'],
    [
      'a payment mandate tied to another open checkout mandate',
      () => ({
        paymentConstraints: [
          { type: 'payment.reference', conditional_transaction_id: 'C'.repeat(43) },
        ],
      }),
      'constraint_violated',
    ],
  ];

  it.each(REFUSALS)('refuses %s', async (_what, knobsOf, failure) => {
    const result = await verifyAp2Mandates(await delegated(await knobsOf()), ctx);
    expect(result.ok ? 'verified' : result.failure, result.ok ? '' : result.detail).toBe(failure);
  });

  it('refuses a human-present mandate whose key binding is missing', async () => {
    const presented = await humanPresent();
    const unbound = presented.checkoutMandate.slice(
      0,
      presented.checkoutMandate.lastIndexOf('~') + 1,
    );
    const result = await verifyAp2Mandates({ ...presented, checkoutMandate: unbound }, ctx);
    expect(result).toMatchObject({ ok: false, failure: 'nonce_mismatch' });
  });

  it('refuses a mandate replayed against a checkout signed again (a new nonce)', async () => {
    const presented = await delegated();
    const result = await verifyAp2Mandates(presented, { ...ctx, nonce: 'the-next-issue' });
    expect(result).toMatchObject({ ok: false, failure: 'nonce_mismatch' });
  });
});
