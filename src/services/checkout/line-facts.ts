import { type LineFacts, PolicyIndex } from '../../domain/index.js';
import type { CatalogStore } from '../../store/catalog-store.js';

/**
 * The current facts of a checkout's products, loaded for one transition: the domain decides on
 * them at the transition's `now` (domain/checkout/lines.ts), never on a cached profile.
 */
export async function loadLineFacts(
  catalog: CatalogStore,
  productIds: readonly string[],
): Promise<LineFacts> {
  const unique = [...new Set(productIds)];
  const [products, policies] = await Promise.all([
    catalog.getProducts(unique),
    catalog.listPolicies(),
  ]);
  return {
    products: new Map(unique.map((id, i) => [id, products[i]])),
    policies: new PolicyIndex(policies),
  };
}
