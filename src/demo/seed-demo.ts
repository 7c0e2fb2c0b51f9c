import type { CatalogService } from '../services/catalog-service.js';
import type { TenantStores } from '../services/evaluation-service.js';
import { demoCatalog } from './demo-catalog.js';

/** What seeding uses: a tenant's stores and the catalog service every ingest goes through. */
export interface DemoSeedDeps {
  storesOf(tenant: string): TenantStores;
  catalog: CatalogService;
}

/**
 * Seeds the demo catalog into `tenant` unless it already holds products (a restart keeps what
 * is there). Goes through the catalog service like any ingest, so evaluation is queued.
 */
export async function seedDemo(
  deps: DemoSeedDeps,
  tenant: string,
  nowMs: number,
): Promise<boolean> {
  const stores = deps.storesOf(tenant);
  if ((await stores.catalog.countProducts()) > 0) return false;
  const { products, policies } = demoCatalog(nowMs);
  for (const policy of policies) await stores.catalog.putPolicy(policy);
  await deps.catalog.putProducts(tenant, products);
  return true;
}
