import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutClaimsOf } from '../../src/adapters/ap2/checkout-claims.js';
import {
  CheckoutJwtIssuer,
  checkoutHashOf,
} from '../../src/services/signing/checkout-jwt-issuer.js';
import { loadSigningKeys, MerchantSigner } from '../../src/services/signing/merchant-signer.js';
import { generateSigningJwks } from '../../src/services/signing/signing-keys.js';
import { CheckoutJwtStore } from '../../src/store/checkout-jwt-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { SigningKeyStore } from '../../src/store/signing-key-store.js';
import { preparedBackpackCheckout } from '../helpers/checkout-fixtures.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const MERCHANT = { id: 'acme', name: 'Acme Outdoor' };

const prepared = preparedBackpackCheckout();

describe('the checkout JWT issuer', () => {
  let client: RedisClient;
  let issuer: CheckoutJwtIssuer;
  let signer: MerchantSigner;
  const prefix = uniquePrefix('cojwt');
  beforeAll(async () => {
    client = connectTestRedis();
    const { keys } = await loadSigningKeys(
      await generateSigningJwks(),
      new SigningKeyStore(client, prefix),
    );
    signer = new MerchantSigner(keys, 'https://shop.example.com', () => NOW);
    issuer = new CheckoutJwtIssuer({
      sign: (claims, typ) => signer.sign(claims, typ),
      storeOf: (tenant) => new CheckoutJwtStore(client, prefix, tenant),
      claimsOf: (_tenant, checkout, expiresAt) => checkoutClaimsOf(checkout, MERCHANT, expiresAt),
      ttlSeconds: 900,
      nowMs: () => NOW,
    });
  });
  afterAll(async () => {
    await client?.quit();
  });

  it('signs the prepared checkout as a UCP checkout, in minor units, verifiable with our JWKS', async () => {
    const issued = await issuer.issue('acme', prepared);
    const { payload } = await jwtVerify(issued.checkoutJwt, createLocalJWKSet(signer.jwks()), {
      currentDate: new Date(NOW),
    });
    expect(payload).toMatchObject({
      id: prepared.id,
      merchant: MERCHANT,
      currency: 'EUR',
      exp: NOW / 1000 + 900,
      line_items: [
        { id: 'BAG-TRAVEL-42', item: { id: 'BAG-TRAVEL-42', price: 12900 }, quantity: 2 },
      ],
    });
    expect(payload.totals).toEqual([
      { type: 'subtotal', amount: 25800 },
      { type: 'total', amount: 25800 },
    ]);
    expect(issued.checkoutHash).toBe(checkoutHashOf(issued.checkoutJwt));
    expect(issued.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(issued.version).toBe(3);
  });

  it('keeps only the last issue: a new one replaces the JWT, its hash and its nonce', async () => {
    const first = await issuer.issue('acme', prepared);
    const second = await issuer.issue('acme', { ...prepared, version: 4 });
    expect(second.checkoutJwt).not.toBe(first.checkoutJwt);
    expect(second.nonce).not.toBe(first.nonce);
    expect(await issuer.current('acme', prepared.id)).toEqual(second);
    expect(await issuer.current('globex', prepared.id)).toBeUndefined();
  });

  it('refuses to sign a checkout that was not prepared', async () => {
    await expect(issuer.issue('acme', { ...prepared, preparedTotal: null })).rejects.toThrow(
      /not prepared/,
    );
  });
});
