import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { refuse } from './failures.js';

/**
 * SD-JWT (RFC 9901) as AP2 v0.2 uses it, one token at a time: the compact form
 * `<issuer-signed JWT>~<disclosure>~…~[<KB-JWT>]`, disclosure digests, and resolving the
 * disclosed claims into the plain payload. Written here rather than taken from @sd-jwt/*: AP2's
 * delegate form (`delegate_payload`, KB-SD-JWT hops verified with the previous hop's `cnf`) is a
 * draft those packages do not implement, and the part we need is small.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface SdJwtToken {
  /** The issuer-signed (or hop-signed) compact JWS. */
  jwt: string;
  disclosures: string[];
  /** A trailing RFC 9901 key-binding JWT, when there is one. */
  kbJwt?: string;
  header: JsonObject;
  payload: JsonObject;
  /** `<jwt>~<disclosures>~`: what `sd_hash` is computed over. */
  sdJwt: string;
}

const HASHES: Readonly<Record<string, string>> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

/** base64url of the digest of `text` (ASCII) under an `_sd_alg` (sha-256 when absent). */
export function digestOf(text: string, sdAlg?: string): string {
  const algorithm = HASHES[sdAlg ?? 'sha-256'];
  if (algorithm === undefined) refuse('malformed', `unsupported _sd_alg ${sdAlg}`);
  return createHash(algorithm).update(text, 'ascii').digest('base64url');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeJson(segment: string, what: string): Json {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Json;
  } catch {
    return refuse('malformed', `${what} is not base64url JSON`);
  }
}

function segmentObject(segment: string, what: string): JsonObject {
  const value = decodeJson(segment, what);
  if (!isObject(value)) refuse('malformed', `${what} is not a JSON object`);
  return value;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Parses one compact SD-JWT; its signature is checked by the caller. */
export function parseSdJwt(compact: string): SdJwtToken {
  const parts = compact.split('~');
  const [jwt = ''] = parts;
  if (parts.length < 2 || !COMPACT_JWS.test(jwt))
    refuse('malformed', 'an SD-JWT is <JWT>~<disclosures>~, and this is not one');
  const last = parts[parts.length - 1] ?? '';
  const disclosures = parts.slice(1, -1);
  if (disclosures.some((d) => !/^[A-Za-z0-9_-]+$/.test(d)))
    refuse('malformed', 'a disclosure is empty or not base64url');
  if (last !== '' && !COMPACT_JWS.test(last))
    refuse('malformed', 'the key-binding JWT is not a compact JWS');
  const [headerSegment = '', payloadSegment = ''] = jwt.split('.');
  return {
    jwt,
    disclosures,
    ...(last === '' ? {} : { kbJwt: last }),
    header: segmentObject(headerSegment, 'the JWT header'),
    payload: segmentObject(payloadSegment, 'the JWT payload'),
    sdJwt: `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`,
  };
}

/** The payload of a compact JWS, unverified (the caller verified or will verify it). */
export function jwsPayloadOf(jws: string): JsonObject {
  if (!COMPACT_JWS.test(jws)) refuse('malformed', 'not a compact JWS');
  return segmentObject(jws.split('.')[1] ?? '', 'the JWS payload');
}

export function jwsHeaderOf(jws: string): JsonObject {
  if (!COMPACT_JWS.test(jws)) refuse('malformed', 'not a compact JWS');
  return segmentObject(jws.split('.')[0] ?? '', 'the JWS header');
}

interface Disclosed {
  name?: string;
  value: Json;
}

/**
 * The payload with every disclosure in place (RFC 9901 §7.1): `_sd` digests become the claims
 * they disclose, `{"...": digest}` array elements become their values (or go, when not
 * disclosed), `_sd` and `_sd_alg` are removed. A disclosure no digest names, one named twice, a
 * digest appearing twice, or a disclosed name that already exists is tampering.
 */
export function resolveDisclosures(token: SdJwtToken): JsonObject {
  const sdAlg = typeof token.payload._sd_alg === 'string' ? token.payload._sd_alg : undefined;
  const byDigest = new Map<string, Disclosed>();
  for (const disclosure of token.disclosures) {
    const digest = digestOf(disclosure, sdAlg);
    if (byDigest.has(digest)) refuse('disclosure_tampered', 'a disclosure is presented twice');
    let decoded: Json;
    try {
      decoded = JSON.parse(Buffer.from(disclosure, 'base64url').toString('utf8')) as Json;
    } catch {
      return refuse('disclosure_tampered', 'a disclosure does not decode to JSON');
    }
    if (!Array.isArray(decoded) || decoded.length < 2 || decoded.length > 3)
      refuse('malformed', 'a disclosure is not [salt, name, value] or [salt, value]');
    byDigest.set(
      digest,
      decoded.length === 3
        ? { name: String(decoded[1]), value: decoded[2] as Json }
        : { value: decoded[1] as Json },
    );
  }
  const used = new Set<string>();
  const take = (digest: Json): Disclosed | undefined => {
    if (typeof digest !== 'string') refuse('malformed', 'a digest is not a string');
    if (used.has(digest)) refuse('disclosure_tampered', 'a digest appears twice');
    used.add(digest);
    return byDigest.get(digest);
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) {
      const out: Json[] = [];
      for (const element of value) {
        if (isObject(element) && Object.keys(element).length === 1 && '...' in element) {
          const disclosed = take(element['...'] as Json);
          if (disclosed === undefined) continue;
          if (disclosed.name !== undefined)
            refuse('disclosure_tampered', 'an array element is disclosed with a name');
          out.push(resolve(disclosed.value));
        } else out.push(resolve(element));
      }
      return out;
    }
    if (!isObject(value)) return value;
    const out: JsonObject = {};
    for (const [key, member] of Object.entries(value)) {
      if (key === '_sd' || key === '_sd_alg') continue;
      out[key] = resolve(member);
    }
    const digests = value._sd;
    if (digests !== undefined) {
      if (!Array.isArray(digests)) refuse('malformed', '_sd is not an array');
      for (const digest of digests) {
        const disclosed = take(digest);
        if (disclosed === undefined) continue;
        if (disclosed.name === undefined)
          refuse('disclosure_tampered', 'an object claim is disclosed without a name');
        if (disclosed.name in out || disclosed.name === '_sd' || disclosed.name === '...')
          refuse('disclosure_tampered', `claim ${disclosed.name} is disclosed over another`);
        out[disclosed.name] = resolve(disclosed.value);
      }
    }
    return out;
  };
  const resolved = resolve(token.payload);
  const unused = [...byDigest.keys()].filter((digest) => !used.has(digest));
  if (unused.length > 0)
    refuse('disclosure_tampered', `${unused.length} disclosure(s) match no digest of the token`);
  return resolved as JsonObject;
}

export { isDeepStrictEqual as sameJson, isObject };
