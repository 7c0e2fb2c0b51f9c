import type { NegotiatedCapability } from './negotiated.js';

/**
 * The `ucp` block an answer opens with (ucp.json `$defs/base`, and `response_catalog_schema`
 * for the catalog): the version the request was processed at and the negotiated capabilities
 * this answer speaks for, each as a one-element list. Negotiation computes it; adapters only
 * place it, and turn it into the `error` form (`status: "error"`) for an error_response.
 */
export interface UcpBlock {
  version: string;
  status?: 'success' | 'error';
  capabilities: Record<string, NegotiatedCapability[]>;
}

/** The block of an error_response (ucp.json `$defs/error`: status MUST be "error"). */
export function errorBlockOf(block: UcpBlock): UcpBlock {
  return { ...block, status: 'error' };
}
