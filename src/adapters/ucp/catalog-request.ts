import { z } from 'zod';
import type { EvaluationContext } from '../../domain/index.js';
// The one country → selling-region table; A2A, ACP and UCP all receive countries, not regions.
import { regionOfCountry } from '../a2a/regions.js';

/**
 * The request bodies of the UCP catalog (schemas/shopping/catalog_search.json and
 * catalog_lookup.json, 2026-04-08). The schemas leave every object open, so unknown fields are
 * tolerated (zod's default strips them); only what we read is typed.
 */

/** Lookup identifiers per request; more is refused with `request_too_large` (catalog/rest.md). */
export const LOOKUP_MAX_IDS = 50;
/** Products per search page when `pagination.limit` is absent (catalog/rest.md, conformance 3). */
export const SEARCH_DEFAULT_LIMIT = 10;
/** A larger `limit` is clamped silently, as search.md "Page Size" allows. */
export const SEARCH_MAX_LIMIT = 50;

/** types/context.json: provisional hints; extra keys allowed (`additionalProperties: true`). */
export const UcpContextSchema = z.object({
  address_country: z.string().max(100).optional(),
  address_region: z.string().max(200).optional(),
  postal_code: z.string().max(40).optional(),
  intent: z.string().max(2_000).optional(),
  language: z.string().max(40).optional(),
  currency: z.string().max(3).optional(),
  eligibility: z.array(z.string().max(200)).max(50).optional(),
});
export type UcpContext = z.infer<typeof UcpContextSchema>;

/** types/search_filters.json; custom filters are allowed by the schema and ignored here. */
export const UcpSearchFiltersSchema = z.object({
  categories: z.array(z.string().min(1).max(200)).max(50).optional(),
  price: z
    .object({
      min: z.number().int().nonnegative().optional(),
      max: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type UcpSearchFilters = z.infer<typeof UcpSearchFiltersSchema>;

/** signals.json and attribution.json: objects we accept and do not read. */
const OpaqueObject = z.record(z.string(), z.unknown());

const common = {
  context: UcpContextSchema.optional(),
  signals: OpaqueObject.optional(),
  attribution: OpaqueObject.optional(),
};

/**
 * `search_request`. search.md: a request MUST carry at least one recognised input and empty ones
 * SHOULD be refused — here a non-blank `query` or at least one filter we apply.
 */
export const UcpSearchRequestSchema = z
  .object({
    query: z.string().max(500).optional(),
    filters: UcpSearchFiltersSchema.optional(),
    pagination: z
      .object({
        cursor: z.string().min(1).max(400).optional(),
        limit: z.number().int().min(1).optional(),
      })
      .optional(),
    ...common,
  })
  .refine(
    (body) =>
      (body.query ?? '').trim().length > 0 ||
      (body.filters?.categories?.length ?? 0) > 0 ||
      body.filters?.price?.min !== undefined ||
      body.filters?.price?.max !== undefined,
    { message: 'send a non-empty query or at least one filter (categories, price)' },
  );
export type UcpSearchRequest = z.infer<typeof UcpSearchRequestSchema>;

/**
 * `lookup_request`. The batch limit is checked by the route, not here, because an oversized
 * batch has its own error code (`request_too_large`, catalog/rest.md "Conformance" 5).
 */
export const UcpLookupRequestSchema = z.object({
  ids: z.array(z.string().min(1).max(200)).min(1).max(1_000),
  filters: UcpSearchFiltersSchema.optional(),
  ...common,
});
export type UcpLookupRequest = z.infer<typeof UcpLookupRequestSchema>;

/** types/selected_option.json */
const SelectedOptionSchema = z.object({
  name: z.string().min(1).max(200),
  label: z.string().min(1).max(200),
  id: z.string().max(200).optional(),
});

/**
 * `get_product_request`. `selected` and `preferences` are accepted and validated; our products
 * have no option axes, so there is nothing for them to narrow (lookup.md "Option Selection").
 */
export const UcpGetProductRequestSchema = z.object({
  id: z.string().min(1).max(200),
  selected: z
    .array(SelectedOptionSchema)
    .max(50)
    .refine((options) => new Set(options.map((o) => o.name)).size === options.length, {
      message: 'each option name may appear at most once',
    })
    .optional(),
  preferences: z.array(z.string().max(200)).max(50).optional(),
  filters: UcpSearchFiltersSchema.optional(),
  ...common,
});
export type UcpGetProductRequest = z.infer<typeof UcpGetProductRequestSchema>;

/** What every catalog request may carry that the answer depends on besides its ids or query. */
export interface CatalogRequestCommon {
  context?: UcpContext | undefined;
  filters?: UcpSearchFilters | undefined;
}

/** ISO 3166-1 alpha-2: the only form of `address_country` the region table knows. */
const ALPHA_2 = /^[A-Za-z]{2}$/;

/**
 * The context the domain decides for, from a UCP `context` the way ACP's session context does
 * it: the region of `address_country` (the default's region when absent, or when it is given
 * as an alpha-3 code or a country name, which context.json still allows — it is a hint, and we
 * do not guess), the default's buyer type (UCP's context says nothing about it), and always the
 * agent channel. The adapter translates; whether that region is served is the domain's call.
 */
export function catalogContextOf(
  context: UcpContext | undefined,
  fallback: EvaluationContext,
): EvaluationContext {
  const country = context?.address_country?.trim();
  const region =
    country !== undefined && ALPHA_2.test(country) ? regionOfCountry(country) : fallback.region;
  return { region, buyerType: fallback.buyerType, channel: 'agent' };
}

/** The page size a search request asks for, clamped. */
export function searchLimitOf(request: UcpSearchRequest): number {
  return Math.min(request.pagination?.limit ?? SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT);
}

/** Lookup ids, each once, in the order first sent (lookup.md: duplicates MUST be deduplicated). */
export function distinctIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
