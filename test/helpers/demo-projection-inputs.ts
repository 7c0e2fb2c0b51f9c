import type { FeedItemInput } from '../../feeds/feed-format.js';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import {
  type EvaluationContext,
  evaluateProduct,
  PolicyIndex,
  type ProductFacts,
  toInstant,
} from '../../src/domain/index.js';

/** When the feed projection tests evaluate and publish the demo catalog. */
export const DEMO_NOW_MS = Date.parse('2026-06-28T09:00:00Z');
export const EU_CONSUMER_AGENT: EvaluationContext = {
  region: 'EU',
  buyerType: 'consumer',
  channel: 'agent',
};

const { products, policies } = demoCatalog(DEMO_NOW_MS);
const index = new PolicyIndex(policies);

/** The demo catalog's products as of DEMO_NOW_MS. */
export const demoProducts = products;
export const demoPublishedAt = toInstant(DEMO_NOW_MS);

export const demoProduct = (id: string) => products.find((product) => product.id === id)!;

/** What a feed projects for `product`: its profile in `context`, evaluated at DEMO_NOW_MS. */
export function projectionInput(
  product: ProductFacts,
  context: EvaluationContext = EU_CONSUMER_AGENT,
): FeedItemInput {
  return {
    product,
    profile: evaluateProduct(product, index, context, DEMO_NOW_MS),
    publishedAt: demoPublishedAt,
  };
}
