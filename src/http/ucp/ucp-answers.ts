import type { FastifyRequest } from 'fastify';

import type { UcpOperation } from '../../adapters/ucp/capabilities.js';
import { errorBlockOf, type UcpBlock } from '../../adapters/ucp/response-block.js';

export type { UcpBlock };

/**
 * What every UCP answer of a route needs from the scope: the `ucp` block of what the request
 * negotiated, narrowed to the operation's capabilities (overview.md, "Response Capability
 * Selection").
 */
export type UcpBlockOf = (request: FastifyRequest, operation: UcpOperation) => UcpBlock;

/**
 * The spec's error_response (`types/error_response.json`): a business outcome where no resource
 * can be returned — an unknown or another tenant's checkout, an order that does not exist. It is
 * HTTP 200 (order-rest.md's "Not Found" example; checkout-rest.md "Business Outcomes").
 */
export function noResource(block: UcpBlock, code: string, content: string, continueUrl?: string) {
  return {
    ucp: errorBlockOf(block),
    messages: [{ type: 'error' as const, code, severity: 'unrecoverable' as const, content }],
    ...(continueUrl === undefined ? {} : { continue_url: continueUrl }),
  };
}
