import {
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import type { SigningKeyStore } from '../../store/signing-key-store.js';
import {
  generateSigningJwks,
  type PrivateSigningJwks,
  PrivateSigningJwksSchema,
  SIGNING_ALG,
  type SigningKeys,
  signingKeysOf,
} from './signing-keys.js';

/**
 * The merchant's signatures (AP2: the checkout JWT a mandate binds to, the receipts answering
 * a mandate): compact JWS, ES256, the active key's `kid` in the header, `iat` from the injected
 * clock. ECDSA signatures are randomized, so one payload signed twice gives two tokens.
 */
export class MerchantSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly nowMs: () => number,
  ) {}

  get kid(): string {
    return this.keys.active.kid;
  }

  sign(claims: JWTPayload, typ: string): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.keys.active.kid, typ })
      .setIssuer(this.issuer)
      .setIssuedAt(Math.floor(this.nowMs() / 1000))
      .sign(this.keys.active.privateKey);
  }

  /**
   * A JWS over `payload` with the payload left out (RFC 7515 Appendix F, `header..signature`):
   * UCP's `ap2.merchant_authorization`, whose payload travels as the answer itself.
   */
  async signDetached(payload: Uint8Array): Promise<string> {
    const jws = await new CompactSign(payload)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.keys.active.kid })
      .sign(this.keys.active.privateKey);
    const [header, , signature] = jws.split('.');
    return `${header}..${signature}`;
  }

  /** The payload of a compact JWS one of our published keys signed; undefined otherwise. */
  async verifyOwn(jws: string): Promise<Uint8Array | undefined> {
    this.ownKeys ??= createLocalJWKSet(this.jwks());
    try {
      return (await compactVerify(jws, this.ownKeys, { algorithms: [SIGNING_ALG] })).payload;
    } catch {
      return undefined;
    }
  }

  private ownKeys: ReturnType<typeof createLocalJWKSet> | undefined;

  /** The public keys a verifier needs (RFC 7517 JWK Set), the active one first. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.published.map((key) => key.publicJwk) };
  }
}

/**
 * The keys to sign with: the configured JWKS, else the deployment's development key (generated
 * on first start and kept in Redis). `configured` is MERCHANT_SIGNING_JWKS, already validated.
 */
export async function loadSigningKeys(
  configured: PrivateSigningJwks | undefined,
  store: SigningKeyStore,
): Promise<{ keys: SigningKeys; source: 'configured' | 'development' }> {
  if (configured !== undefined)
    return { keys: await signingKeysOf(configured), source: 'configured' };
  const stored =
    (await store.read()) ?? (await store.writeOnce(JSON.stringify(await generateSigningJwks())));
  return {
    keys: await signingKeysOf(PrivateSigningJwksSchema.parse(JSON.parse(stored))),
    source: 'development',
  };
}
