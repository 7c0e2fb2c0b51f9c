import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerTrustOf } from '../../src/adapters/ap2/trust.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import { type TestKey, testKey } from '../helpers/mandate-issuer.js';
import { sendJson } from '../helpers/ucp-platform.js';

/** The trust list: static keys, and a JWKS URL served by a loopback issuer. */
describe('issuerTrustOf', () => {
  let provider: TestKey;
  let wallet: TestKey;
  let jwks: LoopbackServer;
  beforeAll(async () => {
    [provider, wallet] = await Promise.all([testKey('provider-1'), testKey('wallet-1')]);
    jwks = await loopbackServer((_request, response) =>
      sendJson(response, { keys: [provider.publicJwk] }),
    );
  });
  afterAll(() => jwks?.close());

  it('finds an issuer key by kid in the JWKS the URL serves, fetching it once', async () => {
    const before = jwks.requests.length;
    const trust = issuerTrustOf({ url: `${jwks.url}/jwks.json` });
    expect(await trust('provider-1')).toBeDefined();
    expect(await trust('provider-1')).toBeDefined();
    expect(jwks.requests.length - before).toBe(1);
  });

  it('looks in the static keys and the URL both', async () => {
    const trust = issuerTrustOf({ keys: [wallet.publicJwk], url: `${jwks.url}/jwks.json` });
    expect(await trust('wallet-1')).toBeDefined();
    expect(await trust('provider-1')).toBeDefined();
  });

  it('trusts no kid that neither holds, nor anything when the URL is unreachable', async () => {
    expect(await issuerTrustOf({ keys: [wallet.publicJwk] })('provider-1')).toBeUndefined();
    expect(
      await issuerTrustOf({ url: 'http://127.0.0.1:9/jwks.json' })('provider-1'),
    ).toBeUndefined();
    expect(await issuerTrustOf({})('wallet-1')).toBeUndefined();
  });
});
