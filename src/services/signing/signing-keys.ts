import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey as JoseKey,
  type JWK,
} from 'jose';
import { z } from 'zod';

/**
 * The merchant's signing keys (ES256, P-256): the first signs, every one is published, so a key
 * can be rotated by putting the new one first and dropping the old one once what it signed has
 * expired.
 */

/** A private P-256 JWK as configured or stored. */
export const PrivateSigningJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: z.string().min(1).max(200).optional(),
});
export const PrivateSigningJwksSchema = z.object({
  keys: z.array(PrivateSigningJwkSchema).min(1).max(10),
});
export type PrivateSigningJwks = z.infer<typeof PrivateSigningJwksSchema>;

export interface SigningKey {
  kid: string;
  /** The public half as published: kty, crv, x, y, kid, alg, use. */
  publicJwk: JWK;
}

export interface SigningKeys {
  /** The key that signs. */
  active: SigningKey & { privateKey: JoseKey };
  /** Every key a verifier may meet, the active one first. */
  published: readonly SigningKey[];
}

export const SIGNING_ALG = 'ES256';

/** A key's public half with its `kid` (the RFC 7638 thumbprint unless configured). */
async function signingKeyOf(jwk: z.infer<typeof PrivateSigningJwkSchema>): Promise<SigningKey> {
  const { kty, crv, x, y } = jwk;
  const kid = jwk.kid ?? (await calculateJwkThumbprint({ kty, crv, x, y }));
  return { kid, publicJwk: { kty, crv, x, y, kid, alg: SIGNING_ALG, use: 'sig' } };
}

/** The keys of a private JWKS: the first signs. */
export async function signingKeysOf(jwks: PrivateSigningJwks): Promise<SigningKeys> {
  const published = await Promise.all(jwks.keys.map(signingKeyOf));
  const [first] = jwks.keys;
  const [activeKey] = published;
  if (first === undefined || activeKey === undefined) throw new Error('no signing key');
  const privateKey = (await importJWK({ ...first, alg: SIGNING_ALG }, SIGNING_ALG)) as JoseKey;
  return { active: { ...activeKey, privateKey }, published };
}

/** A new P-256 key pair as a private JWKS of one key. */
export async function generateSigningJwks(): Promise<PrivateSigningJwks> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = PrivateSigningJwkSchema.parse(await exportJWK(privateKey));
  return { keys: [jwk] };
}
