import { z } from 'zod';
import {
  actionResult,
  COMMERCE_ACTIONS,
  CommerceActionSchema,
  DecisionResultSchema,
  decisionFor,
  EvaluationContextSchema,
  InstantSchema,
  LISTING_AVAILABILITIES,
  listingOf,
  MoneySchema,
  type ProductActionProfile,
  type ProductFacts,
} from '../../domain/index.js';
import { contextArgument } from './context-arguments.js';
import { READ_ONLY } from './readiness-tools.js';
import type { ToolDefinition } from './tool-definition.js';

/** Products per page when the caller does not say, and at most. */
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 50;

/** One action's result for a product, with the codes of the blockers that hold it back. */
export const ActionResultSchema = z.object({
  action: CommerceActionSchema,
  result: DecisionResultSchema,
  blockers: z
    .array(z.string())
    .describe('Blocker codes; get_product_readiness gives each with what would lift it.'),
});

/** A product as search_products lists it: what its listing may state, and its action results. */
export const SearchItemSchema = z.object({
  productId: z.string(),
  title: z.string(),
  category: z.string().describe('Category slug, usable as the category argument.'),
  categoryName: z.string().optional(),
  brand: z.string().optional(),
  description: z.string().optional().describe('Merchant-written or approved text only.'),
  url: z.string().optional(),
  imageUrl: z.string().optional(),
  price: MoneySchema.nullable().describe(
    'Integer minor units and ISO 4217 currency (12900 EUR is 129.00 EUR); null when no fresh price may be stated.',
  ),
  availability: z.enum(LISTING_AVAILABILITIES),
  actions: z
    .array(ActionResultSchema)
    .describe('The result of each action for this product in the context.'),
  validUntil: InstantSchema.nullable().describe(
    'When these results must be asked for again at the latest; null when nothing they used expires.',
  ),
});
export type SearchItem = z.infer<typeof SearchItemSchema>;

export const SearchOutputSchema = z.object({
  context: EvaluationContextSchema,
  products: z.array(SearchItemSchema),
  nextCursor: z
    .string()
    .optional()
    .describe('Pass as cursor to go on; absent when the catalog has nothing more to look at.'),
});
export type SearchOutput = z.infer<typeof SearchOutputSchema>;

/** Category as a caller may write it ("Travel Bags", "travel bags") → the slug the catalog keys. */
export function categorySlug(category: string): string {
  return category
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function searchTool(regions: readonly [string, ...string[]]) {
  return {
    name: 'search_products',
    title: 'Search products',
    description:
      "Searches the merchant's catalog for products agents may discover in one market and " +
      'lists each with its price and stock as far as they may be stated, and the result of ' +
      'every action (discover, compare, quote_policy, add_to_cart, prepare_checkout, ' +
      'delegate_payment) with its blocker codes. Pages: pass nextCursor as cursor to go on; a ' +
      'page may hold fewer products than the limit and still have a nextCursor.',
    input: z.strictObject({
      text: z
        .string()
        .max(200)
        .optional()
        .describe(
          "Words that must all occur in a product's id, title, brand, category or description (any case); leave out to list everything.",
        ),
      category: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .describe('A category, by slug or name: travel-bags or "Travel Bags".'),
      context: contextArgument(regions).prefault({}),
      limit: z
        .number()
        .int()
        .min(1)
        .max(SEARCH_MAX_LIMIT)
        .default(SEARCH_DEFAULT_LIMIT)
        .describe('Products per page.'),
      cursor: z
        .string()
        .min(1)
        .max(400)
        .optional()
        .describe('nextCursor of the previous page, to go on from there.'),
    }),
    output: SearchOutputSchema,
    annotations: READ_ONLY,
  } satisfies ToolDefinition;
}

/** A found product as the tool lists it: its listing (domain) and its action results. */
export function searchItemOf(product: ProductFacts, profile: ProductActionProfile): SearchItem {
  const listing = listingOf(product, profile, {});
  const item: SearchItem = {
    productId: product.id,
    title: listing.title,
    category: product.category,
    price: listing.price ?? null,
    availability: listing.availability,
    actions: COMMERCE_ACTIONS.map((action) => ({
      action,
      result: actionResult(profile, action),
      blockers: decisionFor(profile, action)?.blockers.map((b) => b.code) ?? [],
    })),
    validUntil: profile.validUntil,
  };
  if (product.categoryName !== undefined) item.categoryName = product.categoryName;
  if (listing.brand !== undefined) item.brand = listing.brand;
  if (listing.description !== undefined) item.description = listing.description;
  if (listing.url !== undefined) item.url = listing.url;
  if (listing.imageUrl !== undefined) item.imageUrl = listing.imageUrl;
  return item;
}
