import { productWatchExtensionV1, productWatchExtensionV03 } from './product-watch-extension.js';

/**
 * The agent card at /.well-known/agent-card.json (and the older /.well-known/agent.json).
 * Skills say what an agent may ASK, never what will succeed: every answer is a decision that may
 * come back blocked with reasons and next actions. Capability is not readiness.
 */

export interface AgentCardOptions {
  /** Absolute URL of the JSON-RPC endpoint. */
  endpointUrl: string;
  /** Service version (package.json). */
  version: string;
  streaming: boolean;
}

const SKILLS = [
  {
    id: 'product-decisions',
    name: 'Product decisions',
    description:
      'Ask whether an action on a product (discover, compare, add_to_cart, prepare_checkout, ' +
      'delegate_payment) is allowed for a buyer context. The answer is a decision: allowed, ' +
      'requires_revalidation, requires_review or blocked, with blocker codes and next actions. ' +
      'Send a data part such as {"action":"get_profile","productId":"…","country":"DE",' +
      '"buyerType":"consumer"}.',
    tags: ['commerce', 'eligibility', 'decision'],
    examples: [
      '{"action":"get_profile","productId":"BAG-TRAVEL-42","country":"DE","buyerType":"consumer"}',
    ],
  },
  {
    id: 'policy-terms',
    name: 'Policy terms',
    description:
      'Ask for the returns, shipping, warranty or cancellation terms of a product in a buyer ' +
      'context. Terms are quoted only where an approved, quoteable policy applies; otherwise ' +
      'the decision is blocked and says what is missing (for example RETURN_POLICY_MISSING).',
    tags: ['commerce', 'policy', 'returns', 'shipping', 'warranty'],
    examples: [
      '{"action":"get_return_terms","productId":"BAG-TRAVEL-42","country":"DE","buyerType":"consumer"}',
    ],
  },
  {
    id: 'checkout',
    name: 'Cart and checkout',
    description:
      'Ask to add an item to a cart, prepare a checkout from a cart, or delegate payment to a ' +
      'prepared checkout with an ACP allowance or AP2 mandates ("ap2"). Each step is checked against current facts and ' +
      'the caller’s authority and may be refused with blocker codes; a mandate or allowance is ' +
      'an input to that check, not permission by itself.',
    tags: ['commerce', 'cart', 'checkout', 'payment'],
    examples: [
      '{"action":"add_to_cart","productId":"BAG-TRAVEL-42","quantity":1,"country":"DE","buyerType":"consumer"}',
    ],
  },
  {
    id: 'product-watch',
    name: 'Product watch',
    description:
      'Ask to hear when a decision about products changes (a policy withdrawn, stock gone, a ' +
      'fact gone stale): watch_products stores a watch, and each change it covers is POSTed to ' +
      'its url as a signed decision.changed event; unwatch_products removes it, list_watches ' +
      'lists them. The filters are those of PUT /v1/subscriptions. This is the product-watch ' +
      'extension declared in capabilities.',
    tags: ['commerce', 'subscription', 'webhook', 'decision'],
    examples: [
      '{"action":"watch_products","subscriptionId":"watch-backpack","url":"https://agent.example/hooks","products":["BAG-TRAVEL-42"],"contexts":["EU:consumer:agent"]}',
      '{"action":"unwatch_products","subscriptionId":"watch-backpack"}',
      '{"action":"list_watches"}',
    ],
  },
];

const INPUT_MODES = ['application/json', 'text/plain'];
const OUTPUT_MODES = ['application/json', 'text/plain'];

const DESCRIPTION =
  'Answers shopping agents with the merchant’s current commercial decisions: product ' +
  'eligibility, quoteable policy terms and checkout steps, each with its blockers, next actions ' +
  'and evidence.';

/** A2A v1.0 AgentCard as ProtoJSON (a2a.proto `AgentCard`). */
export function agentCardV1(options: AgentCardOptions): Record<string, unknown> {
  return {
    name: 'agent-commerce-worker',
    description: DESCRIPTION,
    supportedInterfaces: [
      { url: options.endpointUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: options.endpointUrl, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    version: options.version,
    capabilities: {
      streaming: options.streaming,
      pushNotifications: false,
      extensions: [productWatchExtensionV1()],
      extendedAgentCard: false,
    },
    securitySchemes: {
      bearer: {
        httpAuthSecurityScheme: {
          scheme: 'Bearer',
          description: 'A tenant bearer token; every task belongs to the token’s tenant.',
        },
      },
    },
    // ProtoJSON leaves an empty repeated field out: the bearer scheme needs no scopes.
    securityRequirements: [{ schemes: { bearer: {} } }],
    defaultInputModes: INPUT_MODES,
    defaultOutputModes: OUTPUT_MODES,
    skills: SKILLS,
  };
}

/**
 * The card for clients that do not announce v1.0: the v0.3 card (specification/json a2a.json
 * `AgentCard`) with the v1.0 `supportedInterfaces` embedded, the superset `@a2a-js/sdk`'s own
 * server serves (`embedV1Interfaces`). A v0.3 client reads `url` and `preferredTransport`;
 * a v1.0 client that skipped the header still finds `supportedInterfaces`.
 */
export function agentCardV03(options: AgentCardOptions): Record<string, unknown> {
  const v1 = agentCardV1(options);
  return {
    name: v1.name,
    description: v1.description,
    url: options.endpointUrl,
    preferredTransport: 'JSONRPC',
    protocolVersion: '0.3.0',
    version: options.version,
    capabilities: {
      streaming: options.streaming,
      pushNotifications: false,
      extensions: [productWatchExtensionV03()],
    },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A tenant bearer token; every task belongs to the token’s tenant.',
      },
    },
    security: [{ bearer: [] }],
    defaultInputModes: INPUT_MODES,
    defaultOutputModes: OUTPUT_MODES,
    skills: SKILLS,
    supportsAuthenticatedExtendedCard: false,
    supportedInterfaces: v1.supportedInterfaces,
  };
}
