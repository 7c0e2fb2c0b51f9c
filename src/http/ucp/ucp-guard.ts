import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../a2a/caller.js';
import type { TenantToken } from '../auth.js';
import { sendUcpFailure, ucpFailure } from './ucp-error.js';

const CHALLENGE = 'Bearer realm="ucp"';

/**
 * The onRequest hook of every authenticated UCP route. The REST binding names two ways a
 * platform authenticates: `Authorization` (an OAuth bearer token) and `X-API-Key` (a key the
 * business allocated). Both carry a tenant's token here; a request with neither, or with one no
 * tenant holds, is 401 with `WWW-Authenticate: Bearer realm="ucp"` (overview.md's example).
 */
export function ucpGuard(tokens: readonly TenantToken[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const apiKey = request.headers['x-api-key'];
    const authorization =
      request.headers.authorization ??
      (typeof apiKey === 'string' && apiKey.length > 0 ? `Bearer ${apiKey}` : undefined);
    const caller = callerOf(tokens, authorization);
    if (caller === undefined) {
      reply.header('www-authenticate', CHALLENGE);
      return sendUcpFailure(
        reply,
        ucpFailure(
          401,
          'unauthorized',
          'Send a bearer token (Authorization) or an X-API-Key of your tenant',
        ),
      );
    }
    request.ucpCaller = caller;
  };
}
