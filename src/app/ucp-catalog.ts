import type { AppContext } from '../app-context.js';
import type { App } from '../http/types.js';
import { ucpCatalogRoutes } from '../http/ucp/catalog-routes.js';
import type { UcpBlockOf } from '../http/ucp/ucp-answers.js';
import { ProductSearch } from '../services/product-search.js';
import { catalogRuntime } from './catalog-runtime.js';

/**
 * The UCP catalog routes over the catalog runtime's profile service and stores — the ones the
 * profile API, the feeds, A2A and MCP's search_products read through — so every surface finds
 * the same products. Requests without a `context.address_country` are decided for FEED_CONTEXT,
 * as ACP's checkout sessions are. The UCP scope mounts this after its auth and negotiation hooks.
 */
export async function ucpCatalog(app: App, ctx: AppContext, ucpBlockOf: UcpBlockOf): Promise<void> {
  const runtime = catalogRuntime(ctx);
  const { profiles } = runtime;
  await ucpCatalogRoutes(app, {
    search: new ProductSearch(runtime.storesOf, profiles, ctx.clock),
    lookup: (tenant, ids, context) => profiles.currentPage(tenant, ids, context, ctx.clock.nowMs()),
    defaultContext: ctx.config.FEED_CONTEXT,
    ucpBlockOf,
  });
}
