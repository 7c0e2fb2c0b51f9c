import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type CryptoKey as JoseKey,
  type JWK,
  type JWSHeaderParameters,
} from 'jose';

/** The root issuers whose mandates we accept (a wallet, a trusted agent provider), by `kid`. */
export type IssuerTrust = (kid: string) => Promise<JoseKey | undefined>;

type KeySet = (header: JWSHeaderParameters) => Promise<JoseKey>;

/**
 * The trust list: a static JWK Set and/or a JWKS URL (jose fetches and caches it, refetching on
 * an unknown `kid` at most every cooldown). A `kid` found in neither is not trusted.
 */
export function issuerTrustOf(options: { keys?: readonly JWK[]; url?: string }): IssuerTrust {
  const sets: KeySet[] = [];
  if (options.keys !== undefined && options.keys.length > 0)
    sets.push(createLocalJWKSet({ keys: [...options.keys] }) as KeySet);
  if (options.url !== undefined) sets.push(createRemoteJWKSet(new URL(options.url)) as KeySet);
  return async (kid) => {
    for (const set of sets) {
      try {
        return await set({ alg: 'ES256', kid });
      } catch {
        // Not in this set (or the remote set is unreachable): try the next one.
      }
    }
    return undefined;
  };
}

/**
 * The trust list, and besides it keys trusted for one presentation alone (under UCP's AP2
 * extension, the calling platform's `signing_keys`: the trusted platform provider flow).
 */
export function eitherTrust(trust: IssuerTrust, keys: readonly JWK[]): IssuerTrust {
  const also = issuerTrustOf({ keys });
  return async (kid) => (await trust(kid)) ?? also(kid);
}
