import { createHash, randomBytes } from 'node:crypto';
import {
  CompactSign,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type CryptoKey as JoseKey,
  type JWK,
  jwtVerify,
} from 'jose';
import { digestOf } from '../../src/adapters/ap2/sd-jwt.js';
import { merchantSignerOf } from '../../src/app/merchant-signer.js';
import type { AppContext } from '../../src/app-context.js';

/**
 * A test issuer of AP2 v0.2 mandates, keys generated in the test: a trusted issuer (a wallet or
 * agent provider, in the trust list by `kid`), an agent key named in open mandates' `cnf`, and
 * builders for the two presentations a merchant meets — human present (a closed mandate signed
 * by the issuer, bound by a KB-JWT) and human not present (open mandate ~~ the agent's closing
 * KB-SD-JWT). Each knob breaks exactly one thing.
 */

export interface TestKey {
  kid: string;
  privateKey: JoseKey;
  publicJwk: JWK;
}

export async function testKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}

const salt = () => randomBytes(16).toString('base64url');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A disclosure and its digest: [salt, value] or [salt, name, value]. */
export function disclose(...parts: unknown[]): { disclosure: string; digest: string } {
  return discloseWith('sha-256', ...parts);
}

/**
 * base64url digest under an `_sd_alg` by its IANA name, any node:crypto knows (`md5` too), so a
 * test can issue what the verifier must refuse.
 */
export function digestWith(sdAlg: string, text: string): string {
  return createHash(sdAlg.replace('-', '')).update(text, 'ascii').digest('base64url');
}

/** A disclosure and its digest under another `_sd_alg`. */
export function discloseWith(
  sdAlg: string,
  ...parts: unknown[]
): { disclosure: string; digest: string } {
  const disclosure = b64([salt(), ...parts]);
  return { disclosure, digest: digestWith(sdAlg, disclosure) };
}

async function signJws(
  header: Record<string, unknown>,
  payload: unknown,
  key: JoseKey,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', ...header })
    .sign(key);
}

export interface Token {
  jwt: string;
  disclosures: string[];
}

export const sdJwtOf = (token: Token) =>
  `${token.jwt}~${token.disclosures.map((d) => `${d}~`).join('')}`;

/** A root SD-JWT whose delegate_payload discloses `content` (plus extra disclosures inside it). */
export async function rootToken(
  content: Record<string, unknown>,
  issuer: TestKey,
  extra: string[] = [],
  header: Record<string, unknown> = {},
  sdAlg = 'sha-256',
): Promise<Token> {
  const item = discloseWith(sdAlg, content);
  const jwt = await signJws(
    { kid: issuer.kid, typ: 'example+sd-jwt', ...header },
    { delegate_payload: [{ '...': item.digest }], _sd_alg: sdAlg },
    issuer.privateKey,
  );
  return { jwt, disclosures: [...extra, item.disclosure] };
}

export interface HopOptions {
  aud: string;
  nonce: string;
  iat: number;
  typ?: string;
  sdHash?: string;
  extraClaims?: Record<string, unknown>;
}

/** The agent's closing KB-SD-JWT over `previous`, disclosing `content`. */
export async function closingHop(
  previous: Token,
  content: Record<string, unknown>,
  agent: TestKey,
  options: HopOptions,
  extra: string[] = [],
): Promise<Token> {
  const item = disclose(content);
  const jwt = await signJws(
    { typ: options.typ ?? 'kb+sd-jwt' },
    {
      delegate_payload: [{ '...': item.digest }],
      iat: options.iat,
      aud: options.aud,
      nonce: options.nonce,
      sd_hash: options.sdHash ?? digestOf(sdJwtOf(previous)),
      _sd_alg: 'sha-256',
      ...options.extraClaims,
    },
    agent.privateKey,
  );
  return { jwt, disclosures: [...extra, item.disclosure] };
}

/** `open ~~ closed`, as AP2 joins a delegation chain (the last token keeps its trailing `~`). */
export function chainOf(...tokens: Token[]): string {
  return tokens
    .map((token, i) => (i < tokens.length - 1 ? sdJwtOf(token).replace(/~$/, '') : sdJwtOf(token)))
    .join('~~');
}

/** An RFC 9901 KB-JWT binding a single SD-JWT to `aud`/`nonce`. */
export async function keyBinding(
  token: Token,
  holder: TestKey,
  options: HopOptions,
): Promise<string> {
  return signJws(
    { typ: options.typ ?? 'kb+jwt' },
    {
      iat: options.iat,
      aud: options.aud,
      nonce: options.nonce,
      sd_hash: options.sdHash ?? digestOf(sdJwtOf(token)),
      ...options.extraClaims,
    },
    holder.privateKey,
  );
}

export { signJws };

/** What one presentation is built from; each test changes one thing. */
export interface MandateKnobs {
  issuer?: TestKey;
  aud?: string;
  nonce?: string;
  closingIat?: number;
  openExp?: number;
  openIat?: number;
  checkoutHash?: string;
  amount?: number;
  payee?: Record<string, string>;
  checkoutConstraints?: unknown[];
  paymentConstraints?: unknown[];
  sdHash?: string;
  openAlone?: boolean;
  closedCheckoutExtra?: Record<string, unknown>;
  paymentOpenFixed?: Record<string, unknown>;
  paymentClosedVct?: string;
  tamper?: (presented: string) => string;
}

/** A `checkout.line_items` constraint: `quantity` units among `ids`. */
export const lineItems = (ids = ['BAG-TRAVEL-42'], quantity = 2) => ({
  type: 'checkout.line_items',
  items: [{ id: 'line-1', acceptable_items: ids.map((id) => ({ id, title: id })), quantity }],
});

/** Who and what a delegated presentation is for. */
export interface MandateParties {
  issuer: TestKey;
  agent: TestKey;
  checkoutJwt: string;
  merchant: { id: string; name: string; website?: string };
  nonce: string;
  nowS: number;
  instrument: { id: string; type: string; description?: string };
}

/** A human-not-present presentation: open mandates signed by the provider, closed by the agent. */
export async function delegatedMandates(p: MandateParties, k: MandateKnobs = {}) {
  const { issuer, agent, checkoutJwt, nowS } = p;
  const MERCHANT = p.merchant;
  const INSTRUMENT = p.instrument;
  const hashOfCheckout = k.checkoutHash ?? digestOf(checkoutJwt);
  const hop = {
    aud: k.aud ?? MERCHANT.id,
    nonce: k.nonce ?? p.nonce,
    iat: k.closingIat ?? nowS,
    ...(k.sdHash === undefined ? {} : { sdHash: k.sdHash }),
  };
  const times = { iat: k.openIat ?? nowS - 600, exp: k.openExp ?? nowS + 3600 };
  const cnf = { jwk: agent.publicJwk };
  // The allowed merchant is itself selectively disclosed, as in the spec's example.
  const merchant = disclose(MERCHANT);
  const openCheckout = await rootToken(
    {
      vct: 'mandate.checkout.open.1',
      constraints: k.checkoutConstraints ?? [
        lineItems(),
        { type: 'checkout.allowed_merchants', allowed: [{ '...': merchant.digest }] },
      ],
      cnf,
      ...times,
    },
    k.issuer ?? issuer,
    k.checkoutConstraints === undefined ? [merchant.disclosure] : [],
  );
  const checkoutJwtClaim = disclose('checkout_jwt', checkoutJwt);
  const closedCheckout = await closingHop(
    openCheckout,
    {
      vct: 'mandate.checkout.1',
      checkout_hash: hashOfCheckout,
      _sd: [checkoutJwtClaim.digest],
      ...k.closedCheckoutExtra,
    },
    agent,
    hop,
    [checkoutJwtClaim.disclosure],
  );
  const openPayment = await rootToken(
    {
      vct: 'mandate.payment.open.1',
      constraints: k.paymentConstraints ?? [
        // The schema wants every open payment mandate tied to its open checkout mandate.
        { type: 'payment.reference', conditional_transaction_id: digestOf(sdJwtOf(openCheckout)) },
        { type: 'payment.amount_range', currency: 'EUR', max: 30000 },
        { type: 'payment.allowed_payees', allowed: [MERCHANT] },
      ],
      cnf,
      ...times,
      ...k.paymentOpenFixed,
    },
    k.issuer ?? issuer,
  );
  const closedPayment = await closingHop(
    openPayment,
    {
      vct: k.paymentClosedVct ?? 'mandate.payment.1',
      transaction_id: hashOfCheckout,
      payee: k.payee ?? MERCHANT,
      payment_amount: { amount: k.amount ?? 25800, currency: 'EUR' },
      payment_instrument: INSTRUMENT,
    },
    agent,
    hop,
  );
  const tamper = k.tamper ?? ((presented: string) => presented);
  return {
    checkoutMandate: tamper(
      k.openAlone === true ? sdJwtOf(openCheckout) : chainOf(openCheckout, closedCheckout),
    ),
    paymentMandate:
      k.openAlone === true ? sdJwtOf(openPayment) : chainOf(openPayment, closedPayment),
  };
}

/**
 * The wire form surfaces take (`ap2: {checkout_mandate, payment_mandate}`) of delegated mandates
 * over a checkout JWT the merchant `acme` signed, for a card, at `nowMs`.
 */
export async function ap2Over(
  signed: { checkoutJwt: string; nonce: string },
  keys: { issuer: TestKey; agent: TestKey; nowMs: number },
  knobs: MandateKnobs = {},
): Promise<{ checkout_mandate: string; payment_mandate: string }> {
  const mandates = await delegatedMandates(
    {
      issuer: keys.issuer,
      agent: keys.agent,
      checkoutJwt: signed.checkoutJwt,
      merchant: { id: 'acme', name: 'acme' },
      nonce: signed.nonce,
      nowS: Math.floor(keys.nowMs / 1000),
      instrument: { id: 'card-1', type: 'card' },
    },
    knobs,
  );
  return { checkout_mandate: mandates.checkoutMandate, payment_mandate: mandates.paymentMandate };
}

/**
 * The claims of a JWT the merchant signed (a checkout JWT, an AP2 receipt), checked with its
 * published keys.
 */
export async function merchantSignedClaims(ctx: AppContext, jwt: string | undefined) {
  const signer = await merchantSignerOf(ctx);
  const { payload } = await jwtVerify(String(jwt), createLocalJWKSet(signer.jwks()));
  return payload;
}
