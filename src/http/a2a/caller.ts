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
  const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 16);
  return { tenant, callerId: `bearer-${fingerprint}` };
}
