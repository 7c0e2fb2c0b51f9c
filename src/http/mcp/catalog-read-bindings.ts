import { decodeCursor, encodeCursor } from '../../adapters/mcp/cursor.js';
import type { policyTermsTool } from '../../adapters/mcp/policy-terms-tool.js';
import { policyTermsOutput } from '../../adapters/mcp/policy-terms-tool.js';
import { categorySlug, searchItemOf, type searchTool } from '../../adapters/mcp/search-tool.js';
import type { PolicyTermsService } from '../../services/policy-terms-service.js';
import type { ProductSearch } from '../../services/product-search.js';
import { bindTool, type ToolBinding, ToolRefusal } from './tool-runner.js';

/**
 * search_products and get_policy_terms over the services every surface reads through: the
 * search walks the catalog with the profile service's current profiles, the terms come from the
 * decision the profile service serves and the policy facts it cites.
 */
export function catalogReadBindings(
  tools: { search: ReturnType<typeof searchTool>; policyTerms: ReturnType<typeof policyTermsTool> },
  services: { search: ProductSearch; policyTerms: PolicyTermsService },
): ToolBinding[] {
  return [
    bindTool(tools.search, async ({ text, category, context, limit, cursor }, caller) => {
      const after = cursor === undefined ? '' : decodeCursor('search', cursor);
      if (after === undefined)
        throw new ToolRefusal(
          'Invalid arguments:\n- cursor: not a nextCursor of search_products; leave it out to start over',
        );
      const page = await services.search.search(caller.tenant, {
        ...(text === undefined ? {} : { text }),
        ...(category === undefined ? {} : { category: categorySlug(category) }),
        context,
        after,
        limit,
      });
      return {
        context,
        products: page.hits.map((hit) => searchItemOf(hit.product, hit.profile)),
        ...(page.next === undefined ? {} : { nextCursor: encodeCursor('search', page.next) }),
      };
    }),
    bindTool(tools.policyTerms, async ({ productId, policyDomain, context }, caller) => {
      const answer = await services.policyTerms.terms(
        caller.tenant,
        productId,
        policyDomain,
        context,
      );
      if (answer.unsettled)
        throw new ToolRefusal(
          `The ${policyDomain} policy of ${productId} changed while it was read; ask again.`,
        );
      return policyTermsOutput(
        productId,
        answer.lookup.source !== 'unknown',
        context,
        policyDomain,
        answer.decision,
        answer.quote,
      );
    }),
  ];
}
