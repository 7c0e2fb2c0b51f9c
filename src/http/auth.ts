import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/codes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant the bearer token belongs to; every read and write is scoped to it. */
    tenant: string;
  }
}

/** The challenge of a tenant API 401: a tenant's token from AUTH_TOKENS, as a bearer token. */
export const TENANT_CHALLENGE = 'Bearer realm="acw api"';

export interface TenantToken {
  tenant: string;
  token: string;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Resolves `Authorization: Bearer <token>` to a tenant, comparing in constant time. */
export function tenantOfToken(
  tokens: readonly TenantToken[],
  header: string | undefined,
): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const presented = match[1] as string;
  let found: string | undefined;
  // Compare against every token (no early exit) so timing does not tell which tenant matched.
  for (const entry of tokens) if (sameSecret(entry.token, presented)) found = entry.tenant;
  return found;
}

/** A hook that answers 401 unless the request carries a tenant's bearer token. */
export function requireTenant(tokens: readonly TenantToken[]) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const tenant = tenantOfToken(tokens, request.headers.authorization);
    if (tenant === undefined) {
      reply.header('www-authenticate', TENANT_CHALLENGE);
      throw new AppError('UNAUTHORIZED');
    }
    request.tenant = tenant;
  };
}
