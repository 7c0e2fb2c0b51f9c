import type { FastifyReply, FastifyRequest } from 'fastify';
import { profileUrlOf } from '../../adapters/ucp/agent-header.js';
import {
  BUSINESS_CAPABILITIES,
  type CapabilityRegistry,
  type UcpOperation,
} from '../../adapters/ucp/capabilities.js';
import { negotiate } from '../../adapters/ucp/negotiation.js';
import type {
  NegotiationFailure,
  NegotiationFailureCode,
} from '../../adapters/ucp/negotiation-failure.js';
import { UCP_VERSION } from '../../adapters/ucp/version.js';
import type { PlatformProfiles } from './platform-profiles.js';
import './ucp-request.js';

/**
 * How each negotiation failure is answered over REST (overview.md, "Error Handling" → "Error
 * Codes" and "Transport Bindings"). Discovery and version failures are transport errors: the
 * status and `{code, content, continue_url?}`. A capability failure is a business outcome: 200
 * with a UCP error response (shopping/types/error_response.json).
 */
export const NEGOTIATION_FAILURE_REPLIES = {
  invalid_profile_url: { status: 400, body: 'transport_error' },
  profile_unreachable: { status: 424, body: 'transport_error' },
  profile_malformed: { status: 422, body: 'transport_error' },
  version_unsupported: { status: 422, body: 'transport_error' },
  capabilities_incompatible: { status: 200, body: 'ucp_error' },
} as const satisfies Record<
  NegotiationFailureCode,
  { status: number; body: 'transport_error' | 'ucp_error' }
>;

/** The body one failure is answered with, `continue_url` only when there is one. */
export function negotiationFailureBody(
  failure: NegotiationFailure,
  continueUrl: string | undefined,
): Record<string, unknown> {
  const handoff = continueUrl === undefined ? {} : { continue_url: continueUrl };
  if (NEGOTIATION_FAILURE_REPLIES[failure.code].body === 'transport_error')
    return { code: failure.code, content: failure.content, ...handoff };
  return {
    ucp: { version: UCP_VERSION, status: 'error', capabilities: {} },
    messages: [
      { type: 'error', code: failure.code, content: failure.content, severity: 'unrecoverable' },
    ],
    ...handoff,
  };
}

export interface UcpNegotiationOptions {
  profiles: PlatformProfiles;
  /**
   * The operation a request performs (each UCP route knows its own); undefined for a request no
   * route serves, which the scope answers as not found without negotiating.
   */
  operationOf: (request: FastifyRequest) => UcpOperation | undefined;
  /** Where a buyer can carry on in a browser when negotiation fails ("The continue_url Field"). */
  continueUrl?: (request: FastifyRequest) => string | undefined;
  /** What we negotiate from; the advertised capabilities unless a test says otherwise. */
  capabilities?: CapabilityRegistry;
}

/**
 * The preHandler of every UCP REST route: `UCP-Agent` → the platform profile → request-time
 * validation and the capability intersection → `request.ucpNegotiated`. A failure answers the
 * request here, so the route never runs without a negotiation.
 */
export function ucpNegotiation(options: UcpNegotiationOptions) {
  const capabilities = options.capabilities ?? BUSINESS_CAPABILITIES;
  return async function negotiateUcp(request: FastifyRequest, reply: FastifyReply) {
    const refuse = (failure: NegotiationFailure) =>
      reply
        .code(NEGOTIATION_FAILURE_REPLIES[failure.code].status)
        .type('application/json; charset=utf-8')
        .send(negotiationFailureBody(failure, options.continueUrl?.(request)));
    const operation = options.operationOf(request);
    if (operation === undefined) return;
    const profileUrl = profileUrlOf(request.headers['ucp-agent']);
    if (!profileUrl.ok) return refuse(profileUrl.failure);
    const profile = await options.profiles.fetch(profileUrl.value);
    if (!profile.ok) return refuse(profile.failure);
    const negotiated = negotiate(profile.value, operation, profileUrl.value, capabilities);
    if (!negotiated.ok) return refuse(negotiated.failure);
    request.ucpNegotiated = negotiated.value;
  };
}
