import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadSigningKeys, MerchantSigner } from '../../src/services/signing/merchant-signer.js';
import { generateSigningJwks } from '../../src/services/signing/signing-keys.js';
import type { RedisClient } from '../../src/store/redis.js';
import { SigningKeyStore } from '../../src/store/signing-key-store.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const ISSUER = 'https://shop.example.com';

describe('the merchant signer', () => {
  let client: RedisClient;
  const prefix = uniquePrefix('signing');
  const store = (at = prefix) => new SigningKeyStore(client, at);
  beforeAll(() => {
    client = connectTestRedis();
  });
  afterAll(async () => {
    await client?.quit();
  });

  it('signs ES256 JWTs with its kid that verify against its published JWKS', async () => {
    const { keys } = await loadSigningKeys(await generateSigningJwks(), store());
    const signer = new MerchantSigner(keys, ISSUER, () => NOW);
    const token = await signer.sign({ checkout: 'co_1' }, 'JWT');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: signer.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(signer.jwks()), {
      issuer: ISSUER,
      currentDate: new Date(NOW),
    });
    expect(payload).toMatchObject({ checkout: 'co_1', iss: ISSUER, iat: NOW / 1000 });
  });

  it('signs the same payload twice into two tokens (a randomized signature)', async () => {
    const { keys } = await loadSigningKeys(await generateSigningJwks(), store());
    const signer = new MerchantSigner(keys, ISSUER, () => NOW);
    const [a, b] = [await signer.sign({ n: 1 }, 'JWT'), await signer.sign({ n: 1 }, 'JWT')];
    expect(a).not.toBe(b);
    const jwks = createLocalJWKSet(signer.jwks());
    await expect(compactVerify(a, jwks)).resolves.toBeDefined();
    await expect(compactVerify(b, jwks)).resolves.toBeDefined();
  });

  it('publishes public keys only: no private part, the active key first', async () => {
    const configured = await generateSigningJwks();
    const older = await generateSigningJwks();
    const both = { keys: [...configured.keys, ...older.keys] };
    const { keys, source } = await loadSigningKeys(both, store());
    const signer = new MerchantSigner(keys, ISSUER, () => NOW);
    expect(source).toBe('configured');
    const published = signer.jwks().keys;
    expect(published).toHaveLength(2);
    expect(published[0]?.kid).toBe(signer.kid);
    for (const jwk of published) {
      expect(jwk).not.toHaveProperty('d');
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
  });

  it('generates one development key per deployment, however many processes start at once', async () => {
    const dev = `${prefix}-dev`;
    const loaded = await Promise.all(
      Array.from({ length: 5 }, () => loadSigningKeys(undefined, store(dev))),
    );
    expect(new Set(loaded.map(({ keys }) => keys.active.kid)).size).toBe(1);
    expect(loaded.every(({ source }) => source === 'development')).toBe(true);
    const later = await loadSigningKeys(undefined, store(dev));
    expect(later.keys.active.kid).toBe(loaded[0]?.keys.active.kid);
  });

  it('reads MERCHANT_SIGNING_JWKS as a private JWK Set and refuses anything else', async () => {
    const jwks = await generateSigningJwks();
    const config = loadConfig({ MERCHANT_SIGNING_JWKS: JSON.stringify(jwks) });
    expect(config.MERCHANT_SIGNING_JWKS).toEqual(jwks);
    expect(() => loadConfig({ MERCHANT_SIGNING_JWKS: '{not json' })).toThrow(
      /MERCHANT_SIGNING_JWKS/,
    );
    const publicOnly = { keys: jwks.keys.map(({ d: _d, ...rest }) => rest) };
    expect(() => loadConfig({ MERCHANT_SIGNING_JWKS: JSON.stringify(publicOnly) })).toThrow(
      /MERCHANT_SIGNING_JWKS/,
    );
  });
});
