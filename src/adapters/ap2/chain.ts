import { compactVerify, errors, importJWK, type CryptoKey as JoseKey, type JWK } from 'jose';
import { Ap2Refusal, refuse } from './failures.js';
import {
  digestOf,
  isObject,
  type JsonObject,
  jwsHeaderOf,
  jwsPayloadOf,
  parseSdJwt,
  resolveDisclosures,
  type SdJwtToken,
} from './sd-jwt.js';

/**
 * A presented mandate: one SD-JWT (a closed mandate signed by a trusted issuer, bound by an RFC
 * 9901 key-binding JWT) or a delegation chain (draft-gco-oauth-delegate-sd-jwt, AP2 v0.2): the
 * root SD-JWT signed by a trusted issuer, then KB-SD-JWT hops, each signed with the `cnf` key
 * the previous hop names and bound to it by `sd_hash` (or `issuer_jwt_hash`), joined by `~~`.
 * The terminal hop carries `aud` and `nonce`; it closes the mandate.
 */

const ALGORITHMS = ['ES256'];
const TERMINAL_TYP = ['kb+sd-jwt', 'kb-sd-jwt'];
const INTERMEDIATE_TYP = ['kb+sd-jwt+kb', 'kb-sd-jwt+kb'];
const KB_JWT_TYP = 'kb+jwt';

export interface ChainExpectations {
  /** The root issuer's key by `kid`, or undefined when the issuer is not trusted. */
  issuerKey(kid: string): Promise<JoseKey | undefined>;
  audience: string;
  /**
   * The nonce the closing binding must carry; undefined where the merchant issued no challenge
   * (UCP's AP2 extension has no channel for one): then any non-empty nonce, spent once.
   */
  nonce: string | undefined;
  nowS: number;
  skewS: number;
}

export interface VerifiedChain {
  /** Each hop's mandate content (the resolved `delegate_payload` item), root first. */
  contents: JsonObject[];
  /** The root token as presented (its sd_hash names the open mandate). */
  root: SdJwtToken;
  /** The closing token (terminal hop, or the single token with its KB-JWT). */
  closing: string;
  /** The earliest `exp` met anywhere in the chain, seconds; undefined when none. */
  expS?: number;
  /** The one-time values the closing binding carries (nonce, jti). */
  oneTime: string[];
}

/** Splits a `~~`-joined chain, restoring each token's trailing `~` the join dropped. */
export function tokensOf(presented: string): string[] {
  const segments = presented.split('~~');
  return segments.map((segment, i) =>
    i < segments.length - 1 && !segment.endsWith('~') ? `${segment}~` : segment,
  );
}

async function verifySignature(jws: string, key: JoseKey | Uint8Array, what: string) {
  try {
    await compactVerify(jws, key, { algorithms: ALGORITHMS });
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      refuse('invalid_signature', `the signature of ${what} does not verify`);
    refuse('malformed', `${what} is not an ES256 JWS (${(error as Error).message})`);
  }
}

/** Imported agent keys by their JWK: an agent presents the same key across many payments. */
const cnfKeys = new Map<string, JoseKey>();
const CNF_KEYS_KEPT = 1_000;

async function cnfKeyOf(content: JsonObject, what: string): Promise<JoseKey> {
  const cnf = content.cnf;
  const jwk = isObject(cnf) ? cnf.jwk : undefined;
  if (!isObject(jwk)) refuse('malformed', `${what} names no cnf.jwk to bind the next hop`);
  const id = `${String(jwk.crv)}:${String(jwk.x)}:${String(jwk.y)}`;
  const kept = cnfKeys.get(id);
  if (kept !== undefined) return kept;
  try {
    const key = (await importJWK(
      { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK,
      'ES256',
    )) as JoseKey;
    if (cnfKeys.size >= CNF_KEYS_KEPT) cnfKeys.delete(cnfKeys.keys().next().value as string);
    cnfKeys.set(id, key);
    return key;
  } catch {
    return refuse('malformed', `the cnf.jwk of ${what} is not a P-256 key`);
  }
}

/** iat / nbf / exp of one claim set, with the skew; returns its exp. */
function checkTimes(claims: JsonObject, expectations: ChainExpectations, what: string) {
  const { nowS, skewS } = expectations;
  for (const name of ['iat', 'nbf'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || value > nowS + skewS))
      refuse('not_yet_valid', `${what} has ${name} ${String(value)}, after now (${nowS})`);
  }
  const exp = claims.exp;
  if (exp === undefined) return undefined;
  if (typeof exp !== 'number') refuse('malformed', `${what} has a non-numeric exp`);
  if (exp <= nowS - skewS)
    refuse('expired', `${what} expired at ${new Date(exp * 1000).toISOString()}`);
  return exp;
}

/** The single disclosed mandate content of a hop's `delegate_payload` (or the payload itself). */
function contentOf(resolved: JsonObject, what: string): JsonObject {
  const items = resolved.delegate_payload;
  if (items === undefined) return resolved;
  if (!Array.isArray(items)) refuse('malformed', `${what}: delegate_payload is not an array`);
  const disclosed = items.filter(isObject);
  if (disclosed.length !== 1)
    refuse('malformed', `${what}: delegate_payload discloses ${disclosed.length} mandates, not 1`);
  return disclosed[0] as JsonObject;
}

/** `sd_hash` or `issuer_jwt_hash` of `claims` against the token it binds to. */
function checkBinding(claims: JsonObject, bound: SdJwtToken, what: string) {
  const sdAlg = typeof bound.payload._sd_alg === 'string' ? bound.payload._sd_alg : undefined;
  const hasSd = claims.sd_hash !== undefined;
  const hasIssuer = claims.issuer_jwt_hash !== undefined;
  if (hasSd === hasIssuer)
    refuse('sd_hash_mismatch', `${what} carries neither or both of sd_hash and issuer_jwt_hash`);
  const expected = hasSd ? digestOf(bound.sdJwt, sdAlg) : digestOf(bound.jwt, sdAlg);
  const actual = hasSd ? claims.sd_hash : claims.issuer_jwt_hash;
  if (actual !== expected)
    refuse('sd_hash_mismatch', `${what} is bound to another token than the one it follows`);
}

function checkAudienceAndNonce(claims: JsonObject, expectations: ChainExpectations, what: string) {
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expectations.audience))
    refuse(
      'audience_mismatch',
      `${what} is for ${JSON.stringify(aud)}, not ${expectations.audience}`,
    );
  if (expectations.nonce === undefined) {
    if (typeof claims.nonce !== 'string' || claims.nonce.length === 0)
      refuse('nonce_mismatch', `${what} carries no nonce`);
  } else if (claims.nonce !== expectations.nonce)
    refuse('nonce_mismatch', `${what} carries another nonce than the one this checkout issued`);
  if (typeof claims.iat !== 'number') refuse('malformed', `${what} has no iat`);
}

/** Verifies one presented mandate (single token or chain) and returns its contents. */
export async function verifyChain(
  presented: string,
  expectations: ChainExpectations,
  label: string,
): Promise<VerifiedChain> {
  const tokens = tokensOf(presented).map(parseSdJwt);
  const [root] = tokens;
  if (root === undefined) return refuse('malformed', `${label} is empty`);
  const kid = root.header.kid;
  if (typeof kid !== 'string') refuse('untrusted_issuer', `${label} names no issuer key (kid)`);
  const issuerKey = await expectations.issuerKey(kid);
  if (issuerKey === undefined)
    refuse('untrusted_issuer', `${label}: no trusted issuer has key ${kid}`);
  await verifySignature(root.jwt, issuerKey, `${label}'s issuer`);
  const rootResolved = resolveDisclosures(root);
  const contents = [contentOf(rootResolved, label)];
  const exps: number[] = [];
  for (const claims of [rootResolved, contents[0] as JsonObject]) {
    const exp = checkTimes(claims, expectations, label);
    if (exp !== undefined) exps.push(exp);
  }
  let closing = root.sdJwt;
  let oneTime: string[] = [];

  if (tokens.length === 1) {
    const vct = (contents[0] as JsonObject).vct;
    if (typeof vct === 'string' && vct.includes('.open.'))
      refuse(
        'open_mandate_alone',
        `${label} is open (${vct}): the agent must close it for this checkout`,
      );
    // A closed mandate on its own: the holder binds it to this payment with an RFC 9901 KB-JWT.
    if (root.kbJwt === undefined)
      refuse('nonce_mismatch', `${label} is not bound to this checkout: it has no key-binding JWT`);
    const header = jwsHeaderOf(root.kbJwt);
    if (header.typ !== KB_JWT_TYP) refuse('malformed', `${label}'s key-binding JWT is not kb+jwt`);
    await verifySignature(
      root.kbJwt,
      await cnfKeyOf(contents[0] as JsonObject, label),
      `${label}'s key binding`,
    );
    const kb = jwsPayloadOf(root.kbJwt);
    checkBinding(kb, root, `${label}'s key binding`);
    checkAudienceAndNonce(kb, expectations, `${label}'s key binding`);
    checkTimes(kb, expectations, `${label}'s key binding`);
    closing = `${root.sdJwt}${root.kbJwt}`;
    oneTime = [String(kb.nonce), ...(typeof kb.jti === 'string' ? [kb.jti] : [])];
  }

  for (let i = 1; i < tokens.length; i += 1) {
    const hop = tokens[i] as SdJwtToken;
    const previous = tokens[i - 1] as SdJwtToken;
    const what = `${label} hop ${i}`;
    const terminal = i === tokens.length - 1;
    const typ = String(hop.header.typ);
    if (!(terminal ? TERMINAL_TYP : INTERMEDIATE_TYP).includes(typ))
      refuse('malformed', `${what} has typ ${typ}`);
    await verifySignature(
      hop.jwt,
      await cnfKeyOf(contents[i - 1] as JsonObject, `${label} hop ${i - 1}`),
      what,
    );
    const resolved = resolveDisclosures(hop);
    checkBinding(resolved, previous, what);
    const content = contentOf(resolved, what);
    if (terminal) {
      checkAudienceAndNonce(resolved, expectations, what);
      if (content.cnf !== undefined)
        refuse('malformed', `${what} closes the chain yet names a cnf`);
      oneTime = [
        String(resolved.nonce),
        ...(typeof resolved.jti === 'string' ? [resolved.jti] : []),
      ];
      closing = hop.sdJwt;
    } else if (content.cnf === undefined) refuse('malformed', `${what} delegates without a cnf`);
    for (const claims of [resolved, content]) {
      const exp = checkTimes(claims, expectations, what);
      if (exp !== undefined) exps.push(exp);
    }
    contents.push(content);
  }
  return {
    contents,
    root,
    closing,
    ...(exps.length === 0 ? {} : { expS: Math.min(...exps) }),
    oneTime,
  };
}

export { Ap2Refusal };
