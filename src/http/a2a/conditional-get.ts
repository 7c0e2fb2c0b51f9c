import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ifNoneMatchHits } from '../if-none-match.js';

/** A strong entity tag for a representation: the same bytes, the same tag (RFC 9110 §8.8.3). */
export function entityTagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether a GET may answer 304 (RFC 9110 §13.2.2): If-None-Match decides when present; only
 * without it does If-Modified-Since count, compared in whole seconds as HTTP dates carry them.
 */
export function isNotModified(
  headers: IncomingHttpHeaders,
  entityTag: string,
  lastModifiedMs: number,
): boolean {
  if (headers['if-none-match'] !== undefined)
    return ifNoneMatchHits(headers['if-none-match'], entityTag);
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const sinceMs = Date.parse(ifModifiedSince);
  if (Number.isNaN(sinceMs)) return false;
  return Math.floor(lastModifiedMs / 1000) <= Math.floor(sinceMs / 1000);
}
