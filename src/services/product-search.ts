import type { Clock } from '../clock.js';
import {
  type EvaluationContext,
  type ProductFacts,
  publishableDescription,
  searchEligible,
} from '../domain/index.js';
import type { TenantStores } from './evaluation-service.js';
import type { ProfileLookup, ProfileService } from './profile-service.js';

export interface SearchQuery {
  /** words that must all occur (case-insensitive) in what the product may be found by */
  text?: string;
  /** a category slug */
  category?: string;
  context: EvaluationContext;
  /**
   * A caller's own narrowing (a protocol's filters), asked of each discoverable match before it
   * counts toward `limit`; it can only leave products out, never let one in.
   */
  where?: (hit: SearchHit) => boolean;
  /** the last product id of the previous page; '' for the first page */
  after: string;
  limit: number;
}

/** A product the search found, with the profile every surface serves for it. */
export type SearchHit = ProfileLookup & { product: ProductFacts };

export interface SearchPage {
  hits: SearchHit[];
  /** the id to continue after; absent when the catalog has no more to look at */
  next?: string;
}

/** Ids read per round trip, and at most this many looked at per page, so a page is bounded. */
const SLICE = 100;
const SCAN_BUDGET = 2_000;

/**
 * The words a product may be found by: its id, names and the description a surface may show
 * (never generated text awaiting review), lower-cased.
 */
function searchableText(product: ProductFacts): string {
  return [
    product.id,
    product.sku,
    product.title,
    product.brand,
    product.category,
    product.categoryName,
    publishableDescription(product),
  ]
    .filter((part): part is string => part !== undefined)
    .join('\n')
    .toLowerCase();
}

function matcher(text: string | undefined): (product: ProductFacts) => boolean {
  const words = (text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  return (product) => {
    const haystack = searchableText(product);
    return words.every((word) => haystack.includes(word));
  };
}

/**
 * Finds products in a tenant's catalog, in id order, page by page: only those the domain lets
 * agents discover in the context (searchEligible), each with its current profile from the
 * profile service. A page looks at no more than SCAN_BUDGET products, so a page may hold fewer
 * than `limit` hits (even none) and still have a `next`: the catalog is not exhausted yet.
 */
export class ProductSearch {
  constructor(
    private readonly storesOf: (tenant: string) => TenantStores,
    private readonly profiles: ProfileService,
    private readonly clock: Clock,
  ) {}

  async search(tenant: string, query: SearchQuery): Promise<SearchPage> {
    const catalog = this.storesOf(tenant).catalog;
    const matches = matcher(query.text);
    const nowMs = this.clock.nowMs();
    // A category is read from its index (every id of it, sorted once per page); otherwise the
    // catalog's own id order is walked slice by slice.
    const inCategory =
      query.category === undefined
        ? undefined
        : (await catalog.productIdsInCategories([query.category])).sort();
    const sliceAfter = async (after: string): Promise<string[]> => {
      if (inCategory === undefined) return catalog.productIdsAfter(after, SLICE);
      const from = after === '' ? 0 : sortedIndexAfter(inCategory, after);
      return inCategory.slice(from, from + SLICE);
    };

    const hits: SearchHit[] = [];
    let after = query.after;
    for (let scanned = 0; scanned < SCAN_BUDGET; ) {
      const ids = await sliceAfter(after);
      if (ids.length === 0) return { hits };
      const lookups = await this.profiles.currentPage(tenant, ids, query.context, nowMs);
      for (let i = 0; i < ids.length; i += 1) {
        const lookup = lookups[i];
        if (lookup?.product === undefined) continue;
        if (query.category !== undefined && lookup.product.category !== query.category) continue;
        if (!matches(lookup.product) || !searchEligible(lookup.profile)) continue;
        if (query.where !== undefined && !query.where(lookup as SearchHit)) continue;
        hits.push(lookup as SearchHit);
        if (hits.length === query.limit) {
          const last = i === ids.length - 1 && ids.length < SLICE;
          return last ? { hits } : { hits, next: ids[i] as string };
        }
      }
      after = ids.at(-1) as string;
      if (ids.length < SLICE) return { hits };
      scanned += ids.length;
    }
    return { hits, next: after };
  }
}

/** The index of the first id after `after` in a sorted list. */
function sortedIndexAfter(sorted: readonly string[], after: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as string) <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}
