/**
 * ACP discovery (spec 2026-04-17, `$defs/DiscoveryResponse`, served at `/.well-known/acp.json`):
 * which protocol versions, transports and services this merchant implements. Capability only:
 * the same for every product, buyer and session, never whether a product can be bought now
 * (that is the session's `messages[]`).
 */

/** `DiscoveryCapabilities.services`: the closed enum of the version. */
export type AcpService = 'checkout' | 'orders' | 'delegate_payment' | 'carts';

export interface AcpDiscovery {
  protocol: { name: 'acp'; version: string; supported_versions: string[] };
  api_base_url: string;
  transports: 'rest'[];
  capabilities: { services: AcpService[] };
}

export interface DiscoveryOptions {
  /** Newest first, as the guard answers them. */
  versions: readonly string[];
  apiBaseUrl: string;
  /** Whether order events go to the agent platform (ACP_WEBHOOK_URL is set). */
  orderEvents: boolean;
}

/**
 * `checkout` (the checkout sessions) and `delegate_payment` are served by this adapter; `orders`
 * only when order events are configured, since that is the only order operation the version
 * has (the order webhook); `carts` is not implemented.
 */
export function discoveryDocument(options: DiscoveryOptions): AcpDiscovery {
  const services: AcpService[] = ['checkout', 'delegate_payment'];
  if (options.orderEvents) services.push('orders');
  return {
    protocol: {
      name: 'acp',
      version: options.versions[0] as string,
      // "in chronological order (oldest first) … The last element is always the latest".
      supported_versions: [...options.versions].reverse(),
    },
    api_base_url: options.apiBaseUrl,
    transports: ['rest'],
    capabilities: { services },
  };
}
