import type { FastifyRequest } from 'fastify';

/**
 * What every UCP answer of a route needs from the scope: the `ucp` block of what the request
 * negotiated, narrowed to the operation's capabilities (overview.md, "Response Capability
 * Selection"), and the business outcome "no resource" answer built on it.
 */
export interface UcpBlock {
  version: string;
  capabilities: Record<string, unknown[]>;
}

export type UcpBlockOf = (request: FastifyRequest, operation: string) => UcpBlock;

/**
 * The spec's error_response (`types/error_response.json`): a business outcome where no resource
 * can be returned — an unknown or another tenant's checkout, an order that does not exist. It is
 * HTTP 200 (order-rest.md's "Not Found" example; checkout-rest.md "Business Outcomes").
 */
export function noResource(block: UcpBlock, code: string, content: string, continueUrl?: string) {
  return {
    ucp: { ...block, status: 'error' as const },
    messages: [{ type: 'error' as const, code, severity: 'unrecoverable' as const, content }],
    ...(continueUrl === undefined ? {} : { continue_url: continueUrl }),
  };
}
