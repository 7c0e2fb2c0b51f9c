/**
 * What one request negotiated (overview.md, "Negotiation Protocol"): the protocol version the
 * request is processed at and the capability intersection of the platform's profile and ours,
 * orphan extensions pruned. Every answer's `ucp` block lists a part of it, never more.
 */

/** The reverse-domain names of the capabilities we can ever negotiate. */
export const UCP_CAPABILITY = {
  checkout: 'dev.ucp.shopping.checkout',
  catalogSearch: 'dev.ucp.shopping.catalog.search',
  catalogLookup: 'dev.ucp.shopping.catalog.lookup',
  order: 'dev.ucp.shopping.order',
  ap2Mandate: 'dev.ucp.shopping.ap2_mandate',
} as const;

export type UcpCapabilityName = (typeof UCP_CAPABILITY)[keyof typeof UCP_CAPABILITY];

/** One capability as an answer's `ucp.capabilities` names it. */
export interface NegotiatedCapability {
  version: string;
  /** Present for extensions: the parent capability(s). */
  extends?: string | string[];
}

export interface Negotiated {
  /** The protocol version the request is processed at. */
  version: string;
  /** The intersection, keyed by capability name (one entry each: the highest common version). */
  capabilities: Record<string, NegotiatedCapability>;
  /** The platform profile's URL, as the UCP-Agent header named it. */
  profileUrl: string;
  /**
   * The platform profile's `signing_keys` (JWK): under the AP2 extension's trusted platform
   * provider flow, the keys its mandates are signed with.
   */
  platformSigningKeys?: readonly Readonly<Record<string, unknown>>[];
}
