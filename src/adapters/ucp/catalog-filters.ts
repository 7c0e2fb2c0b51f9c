import type { ProductFacts } from '../../domain/index.js';
// Category as a caller writes it ("Travel Bags") → the slug the catalog keys; MCP's rule, shared.
import { categorySlug } from '../mcp/search-tool.js';
import type { UcpProduct } from './catalog-projection.js';
import type { UcpSearchFilters } from './catalog-request.js';

/**
 * search_filters.json applied to a listed product (search.md "Search Filters"; lookup.md
 * "Filters": the same filters, after identifier resolution). All filters combine with AND.
 * - `categories` (OR): a value matches the category we list (`categories[].value`, the category
 *   name) or its slug, in any case or spacing: "Travel Bags", "travel bags", "travel-bags".
 * - `price` (minor units, bounds inclusive) is denominated in `context.currency`
 *   (price_filter.json). We never convert: when `context.currency` names another currency than
 *   the product's price, the price filter is ignored for it, and the answer says so once
 *   (`ignoredPrice`). Without `context.currency` the filter is read in the product's own
 *   currency — a catalog prices each product in one currency, so nothing else could be meant.
 */
export interface FilterVerdict {
  keep: boolean;
  /** the price filter could not be applied (another currency) */
  ignoredPrice: boolean;
}

export function filterProduct(
  facts: ProductFacts,
  product: UcpProduct,
  filters: UcpSearchFilters | undefined,
  contextCurrency: string | undefined,
): FilterVerdict {
  const categories = filters?.categories;
  if (categories !== undefined && categories.length > 0) {
    const own = new Set([facts.category, ...product.categories.map((c) => categorySlug(c.value))]);
    if (!categories.some((category) => own.has(categorySlug(category))))
      return { keep: false, ignoredPrice: false };
  }
  const bounds = filters?.price;
  if (bounds === undefined || (bounds.min === undefined && bounds.max === undefined))
    return { keep: true, ignoredPrice: false };
  const price = product.price_range.min;
  if (contextCurrency !== undefined && contextCurrency.toUpperCase() !== price.currency)
    return { keep: true, ignoredPrice: true };
  const inRange =
    (bounds.min === undefined || price.amount >= bounds.min) &&
    (bounds.max === undefined || price.amount <= bounds.max);
  return { keep: inRange, ignoredPrice: false };
}
