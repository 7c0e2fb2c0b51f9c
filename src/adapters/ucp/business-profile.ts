import { BUSINESS_CAPABILITIES, type CapabilityRegistry } from './capabilities.js';
import { paymentHandlersOf } from './payment-handler.js';
import { UCP_VERSION } from './version.js';

/** Where our UCP REST binding is mounted, under the public base URL. */
export const UCP_REST_PATH = '/ucp/v1';

const SERVICE_SPEC = `https://ucp.dev/${UCP_VERSION}/specification/overview`;
const SERVICES_BASE = `https://ucp.dev/${UCP_VERSION}/services/shopping`;

/** The transports a deployment serves UCP on, as absolute URLs (REST always). */
export interface UcpEndpoints {
  /** The service's public base URL: where the payment handler's token endpoint is. */
  base: string;
  /** Base of the REST binding; OpenAPI paths are appended (overview.md, "Endpoint Resolution"). */
  rest: string;
  /** The JSON-RPC endpoint of the MCP binding (mcp.openrpc.json), when one is served. */
  mcp?: string;
  /** The A2A agent card URL (for A2A the endpoint names the card), when one is served. */
  a2a?: string;
}

/**
 * The business profile served at /.well-known/ucp (discovery/profile.json, business_profile).
 *
 * It states capability — what this service can do over UCP — and never per-product readiness:
 * whether a product can be bought now reaches a platform through each checkout's `status` and
 * `messages`, not through discovery.
 *
 * `payment_handlers` names the one handler we process (payment-handler.ts): the same
 * declaration every checkout answer carries, so a platform learns at discovery where to
 * tokenize the buyer's card before it completes a checkout.
 */
export function businessProfile(
  endpoints: UcpEndpoints,
  capabilities: CapabilityRegistry = BUSINESS_CAPABILITIES,
) {
  const binding = { version: UCP_VERSION, spec: SERVICE_SPEC };
  const shopping: Record<string, string>[] = [
    {
      ...binding,
      transport: 'rest',
      endpoint: endpoints.rest,
      schema: `${SERVICES_BASE}/rest.openapi.json`,
    },
  ];
  if (endpoints.mcp !== undefined)
    shopping.push({
      ...binding,
      transport: 'mcp',
      endpoint: endpoints.mcp,
      schema: `${SERVICES_BASE}/mcp.openrpc.json`,
    });
  if (endpoints.a2a !== undefined)
    shopping.push({ ...binding, transport: 'a2a', endpoint: endpoints.a2a });
  return {
    ucp: {
      version: UCP_VERSION,
      services: { 'dev.ucp.shopping': shopping },
      capabilities,
      payment_handlers: paymentHandlersOf(endpoints.base),
    },
  };
}
