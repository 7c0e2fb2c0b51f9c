import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../a2a/caller.js';
import type { TenantToken } from '../auth.js';
import {
  type AcpErrorDialect,
  type AcpFailure,
  invalidRequest,
  sendAcpError,
} from './acp-error.js';

/** The ACP API versions we answer, newest first (the order `supported_versions` promises). */
export const ACP_SUPPORTED_VERSIONS = ['2026-04-17'] as const;
export const ACP_VERSION = ACP_SUPPORTED_VERSIONS[0];

const CHALLENGE = 'Bearer realm="acp"';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated ACP caller (tenant and a stable id of its credential). */
    acpCaller?: import('../../adapters/a2a/to-intent.js').Caller;
  }
}

/**
 * The ACP-Version refusal (`$defs/Error` with `supported_versions`): a request without the
 * header, or with a version we do not answer, is told which versions we do.
 */
export function versionFailure(sent: string | undefined): AcpFailure {
  const failure =
    sent === undefined
      ? invalidRequest(400, 'missing_api_version', 'The API-Version header is required')
      : invalidRequest(
          400,
          'unsupported_api_version',
          `API-Version ${JSON.stringify(sent)} is not supported; send one of ${ACP_SUPPORTED_VERSIONS.join(', ')}`,
        );
  failure.body.supported_versions = [...ACP_SUPPORTED_VERSIONS];
  return failure;
}

/**
 * The onRequest hook of every authenticated ACP route: a bearer token of a tenant (401 in ACP's
 * shape with `WWW-Authenticate` otherwise), then a supported `API-Version` — unless the set's
 * spec defines no such header (the Feed API, whose `Error` has no `supported_versions` either).
 */
export function acpGuard(
  tokens: readonly TenantToken[],
  {
    apiVersion = 'required',
    dialect,
  }: { apiVersion?: 'required' | 'not_used'; dialect?: AcpErrorDialect } = {},
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(tokens, request.headers.authorization);
    if (caller === undefined) {
      reply.header('www-authenticate', CHALLENGE);
      return sendAcpError(
        reply,
        invalidRequest(401, 'unauthorized', 'Send a bearer token of your tenant'),
        dialect,
      );
    }
    request.acpCaller = caller;
    if (apiVersion === 'not_used') return;
    const version = request.headers['api-version'];
    const sent = typeof version === 'string' && version.length > 0 ? version : undefined;
    if (sent === undefined || !(ACP_SUPPORTED_VERSIONS as readonly string[]).includes(sent))
      return sendAcpError(reply, versionFailure(sent), dialect);
  };
}

/** The caller the guard set; a route behind the guard always has one. */
export function acpCallerOf(request: FastifyRequest) {
  const caller = request.acpCaller;
  if (caller === undefined) throw invalidRequest(401, 'unauthorized', 'Unauthorized');
  return caller;
}
