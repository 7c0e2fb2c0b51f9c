import { createHash } from 'node:crypto';
import type { Caller } from '../../adapters/a2a/to-intent.js';
import { type TenantToken, tenantOfToken } from '../auth.js';

/**
 * The caller behind `Authorization: Bearer <token>`: its tenant (as everywhere in the ingress)
 * and a stable, non-reversible id of the credential, so two agents of one tenant never share
 * idempotency keys.
 */
export function callerOf(
  tokens: readonly TenantToken[],
  header: string | undefined,
): Caller | undefined {
  const tenant = tenantOfToken(tokens, header);
  if (tenant === undefined || header === undefined) return undefined;
  const token = header.trim().split(/\s+/)[1] ?? '';
  return { tenant, callerId: callerIdOf(token) };
}

/**
 * Caller ids by token. Only configured tokens get here (the tenant lookup above refused any
 * other), so this holds at most one entry per AUTH_TOKENS entry, and each message is spared a
 * SHA-256.
 */
const callerIds = new Map<string, string>();
function callerIdOf(token: string): string {
  let id = callerIds.get(token);
  if (id === undefined) {
    id = `bearer-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
    callerIds.set(token, id);
  }
  return id;
}
