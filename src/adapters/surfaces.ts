import { decodeAcpProduct } from '../../feeds/acp-feed-decoder.js';
import { decodeAgentFeedItem } from '../../feeds/agent-feed-decoder.js';
import { Excluded, type FeedFormat } from '../../feeds/feed-format.js';
import { feedFormats } from '../../feeds/formats.js';
import { decodeOpenAiFlatItem } from '../../feeds/openai-flat-feed-decoder.js';
import {
  type ListingSeller,
  type ProductActionProfile,
  type ProductFacts,
  searchEligible,
  toInstant,
} from '../domain/index.js';
import type { SurfaceReading } from '../domain/surface-claims.js';
import { decodeProfileResponse } from '../http/routes/profile-decoder.js';
import { decodeA2aV1Task, decodeA2aV03Task } from './a2a/decode.js';
import { artifactOf, type TaskView } from './a2a/project.js';
import { renderTaskV1 } from './a2a/wire-v1.js';
import { renderTaskV03 } from './a2a/wire-v03.js';
import { productSession } from './acp/product-session.js';
import { decodeAcpSession } from './acp/session-decoder.js';
import { decodeProductDetail } from './admin/readiness-decoder.js';
import { productDetail } from './admin/readiness-model.js';
import { ProfileOutputSchema, profileOutput } from './mcp/decision-output.js';
import { decodeMcpProfile, decodeMcpSearchItem } from './mcp/decode.js';
import { SearchItemSchema, searchItemOf } from './mcp/search-tool.js';
import { decodeUcpLookup } from './ucp/catalog-decoder.js';
import { projectCatalogProduct } from './ucp/catalog-projection.js';
import { correlated, lookupMiss, lookupResponse } from './ucp/catalog-response.js';
import { decodeUcpCheckout } from './ucp/checkout-decoder.js';
import { UCP_CAPABILITY } from './ucp/negotiated.js';
import { productUcpCheckout } from './ucp/product-checkout.js';
import { UCP_VERSION } from './ucp/version.js';

/**
 * Every surface an agent or operator reads a product's decisions on, each as its projection
 * (profile in, wire form out, through the same functions that serve it) and its decoder (wire
 * form back to what it claims). The consistency property (test/consistency/) and the drift
 * audit (jobs/audit-drift.job.ts) both run this list; a new adapter adds itself here.
 */
export const SURFACE_NAMES = [
  'profile_api',
  'agent_feed',
  'acp_feed',
  'openai_flat_feed',
  'a2a_v1',
  'a2a_v03',
  'readiness_page',
  'mcp',
  'mcp_search',
  'acp_session',
  'ucp_checkout',
  'ucp_catalog',
] as const;
export type SurfaceName = (typeof SURFACE_NAMES)[number];

/** What a projection is given: the facts, the profile a reader would be served, and `now`. */
export interface SurfaceInput {
  product: ProductFacts;
  profile: ProductActionProfile;
  nowMs: number;
}

export interface Surface {
  name: SurfaceName;
  /** the wire form as a client receives it (parsed JSON), or null where the product is left out */
  wire(input: SurfaceInput): unknown;
  decode(wire: unknown): SurfaceReading;
}

/** As sent: serialized and parsed back, so the decoder sees only what crossed the wire. */
function overTheWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function feedSurface(
  name: SurfaceName,
  format: FeedFormat,
  decode: (wire: unknown) => SurfaceReading,
): Surface {
  return {
    name,
    wire({ product, profile, nowMs }) {
      const item = format.project({ product, profile, publishedAt: toInstant(nowMs) });
      if (item === null || item instanceof Excluded) return null;
      return JSON.parse(format.serialize(item));
    },
    decode,
  };
}

/** A finished A2A task whose artifact is the product's profile, as either version renders it. */
function profileTask(profile: ProductActionProfile, nowMs: number): TaskView {
  const id = `drift-${profile.productId}`;
  return {
    id,
    contextId: id,
    state: 'completed',
    timestamp: toInstant(nowMs),
    statusText: '',
    artifacts: [artifactOf(id, { kind: 'profile', profile })],
    history: [],
  };
}

/** UCP `POST /catalog/lookup` of the product's id (without filters), as the route answers it. */
function ucpLookupOf(product: ProductFacts, profile: ProductActionProfile): unknown {
  const ucp = {
    version: UCP_VERSION,
    capabilities: { [UCP_CAPABILITY.catalogLookup]: [{ version: UCP_VERSION }] },
  };
  const projection = projectCatalogProduct(product, profile);
  return overTheWire(
    projection.listed
      ? lookupResponse(ucp, [correlated(projection.product, [product.id])])
      : lookupResponse(ucp, [], [lookupMiss(product.id, projection.reason)]),
  );
}

/** Every surface, with the merchant details the feeds are published with. */
export function productSurfaces(seller: ListingSeller = {}): readonly Surface[] {
  const feeds = feedFormats({ seller });
  return [
    {
      name: 'profile_api',
      wire: ({ profile }) => overTheWire({ source: 'stored', profile }),
      decode: decodeProfileResponse,
    },
    feedSurface('agent_feed', feeds.agent, decodeAgentFeedItem),
    feedSurface('acp_feed', feeds.acp, decodeAcpProduct),
    feedSurface('openai_flat_feed', feeds['openai-flat'], decodeOpenAiFlatItem),
    {
      name: 'a2a_v1',
      wire: ({ profile, nowMs }) => overTheWire(renderTaskV1(profileTask(profile, nowMs))),
      decode: decodeA2aV1Task,
    },
    {
      name: 'a2a_v03',
      wire: ({ profile, nowMs }) => overTheWire(renderTaskV03(profileTask(profile, nowMs))),
      decode: decodeA2aV03Task,
    },
    {
      name: 'readiness_page',
      wire: ({ profile }) => overTheWire(productDetail(profile)),
      decode: (wire) => decodeProductDetail(wire as Parameters<typeof decodeProductDetail>[0]),
    },
    {
      // get_product_readiness's structuredContent, through the tool's own output schema
      name: 'mcp',
      wire: ({ profile }) => overTheWire(ProfileOutputSchema.parse(profileOutput(profile, true))),
      decode: decodeMcpProfile,
    },
    {
      // one product of search_products, which lists only what discover allows
      name: 'mcp_search',
      wire: ({ product, profile }) =>
        searchEligible(profile)
          ? overTheWire(SearchItemSchema.parse(searchItemOf(product, profile)))
          : null,
      decode: decodeMcpSearchItem,
    },
    {
      // the checkout session an ACP agent opens for one unit of the product
      name: 'acp_session',
      wire: ({ product, profile, nowMs }) => overTheWire(productSession(product, profile, nowMs)),
      decode: decodeAcpSession,
    },
    {
      // the checkout a UCP platform opens for one unit of the product
      name: 'ucp_checkout',
      wire: ({ product, profile, nowMs }) =>
        overTheWire(productUcpCheckout(product, profile, nowMs)),
      decode: decodeUcpCheckout,
    },
    {
      // the UCP catalog's lookup of the product's id (search lists the same products)
      name: 'ucp_catalog',
      wire: ({ product, profile }) => ucpLookupOf(product, profile),
      decode: decodeUcpLookup,
    },
  ];
}
