import { policyTermsTool } from '../adapters/mcp/policy-terms-tool.js';
import { searchTool } from '../adapters/mcp/search-tool.js';
import type { AppContext } from '../app-context.js';
import { catalogReadBindings } from '../http/mcp/catalog-read-bindings.js';
import { ResourceSet } from '../http/mcp/resource-set.js';
import type { ToolBinding } from '../http/mcp/tool-runner.js';
import { PolicyTermsService } from '../services/policy-terms-service.js';
import { ProductSearch } from '../services/product-search.js';
import type { LiveWatches } from '../services/subscriptions/live-watches.js';
import { catalogRuntime } from './catalog-runtime.js';

/**
 * search_products, get_policy_terms and the resources (product profiles, feed manifests), over
 * the catalog runtime's profile service, stores and feed publisher: the ones the profile API,
 * the feeds and A2A read through.
 */
export function mcpReadParts(
  ctx: AppContext,
  regions: readonly [string, ...string[]],
  watches: LiveWatches,
): { bindings: ToolBinding[]; resources: ResourceSet } {
  const runtime = catalogRuntime(ctx);
  const { profiles } = runtime;
  const search = new ProductSearch(runtime.storesOf, profiles, ctx.clock);
  return {
    bindings: catalogReadBindings(
      { search: searchTool(regions), policyTerms: policyTermsTool(regions) },
      { search, policyTerms: new PolicyTermsService(runtime.storesOf, profiles) },
    ),
    resources: new ResourceSet({ regions, profiles, search, feeds: runtime.feeds, watches }),
  };
}
