import type { CatalogRuntime } from '../features/catalog-runtime.js';
import { demoCatalog } from './demo-catalog.js';

/**
 * Seeds the demo catalog into `tenant` unless it already holds products (a restart keeps what
 * is there). Goes through the catalog service like any ingest, so evaluation is queued.
 */
export async function seedDemo(runtime: CatalogRuntime, tenant: string): Promise<boolean> {
  const stores = runtime.storesOf(tenant);
  if ((await stores.catalog.countProducts()) > 0) return false;
  const { products, policies } = demoCatalog(runtime.ctx.clock.nowMs());
  for (const policy of policies) await stores.catalog.putPolicy(policy);
  await runtime.catalog.putProducts(tenant, products);
  return true;
}
