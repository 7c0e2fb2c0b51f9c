import { z } from 'zod';
import {
  checkoutEligible,
  type ListingAvailability,
  listedAvailability,
  listedPrice,
  type Money,
  type ProductActionProfile,
  type ProductFacts,
  publishableDescription,
  searchEligible,
} from '../../domain/index.js';

/**
 * A stored product profile (facts + decisions) as a UCP catalog `product` (types/product.json,
 * 2026-04-08). One product is one variant: its id is the product id, which is also the id a
 * checkout line item takes (catalog/index.md "Relationship to Checkout"). The adapter states
 * what the domain lets a listing state and decides nothing: whether it is found at all is
 * `searchEligible` (the discover decision), whether it can be bought `checkoutEligible`, its
 * price `listedPrice`, its stock `listedAvailability`, its text `publishableDescription`.
 */

const PriceSchema = z.object({ amount: z.number().int().nonnegative(), currency: z.string() });

/** The subset of types/variant.json we emit. */
export const UcpVariantSchema = z.object({
  id: z.string(),
  sku: z.string().optional(),
  title: z.string(),
  description: z.object({ plain: z.string() }),
  url: z.string().optional(),
  price: PriceSchema,
  availability: z.object({ available: z.boolean(), status: z.string().optional() }),
  barcodes: z.array(z.object({ type: z.string(), value: z.string() })).optional(),
  /** lookup responses only: which request ids resolved to this variant (input_correlation) */
  inputs: z.array(z.object({ id: z.string(), match: z.string() })).optional(),
});
export type UcpVariant = z.infer<typeof UcpVariantSchema>;

/** The subset of types/product.json we emit. */
export const UcpProductSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.object({ plain: z.string() }),
  url: z.string().optional(),
  categories: z.array(z.object({ value: z.string(), taxonomy: z.string() })),
  price_range: z.object({ min: PriceSchema, max: PriceSchema }),
  media: z
    .array(z.object({ type: z.literal('image'), url: z.string(), alt_text: z.string() }))
    .optional(),
  variants: z.array(UcpVariantSchema).min(1),
});
export type UcpProduct = z.infer<typeof UcpProductSchema>;

/**
 * Why a stored product is not projected:
 * - `not_found`: no such product, or the domain does not let agents discover it — the two are
 *   indistinguishable on the wire (issue 14: "a product whose discover is not allowed is not
 *   found");
 * - `unpriced`: found, but no price may be stated (missing or stale), and product.json requires
 *   one on every variant, so no valid product can be sent.
 */
export type Unlisted = 'not_found' | 'unpriced';

export type CatalogProjection =
  | { listed: true; product: UcpProduct }
  | { listed: false; reason: Unlisted };

interface Facts {
  product: ProductFacts | undefined;
  profile: ProductActionProfile;
  price: Money | undefined;
}

/** First row that matches says why the product is not listed; none matching, it is listed. */
const UNLISTED_WHEN: readonly { reason: Unlisted; when: (facts: Facts) => boolean }[] = [
  { reason: 'not_found', when: ({ product }) => product === undefined },
  { reason: 'not_found', when: ({ profile }) => !searchEligible(profile) },
  { reason: 'unpriced', when: ({ price }) => price === undefined },
];

/**
 * The stock a listing may state → `availability.status` (variant.json's well-known values:
 * in_stock, backorder, preorder, out_of_stock, discontinued). Low stock is still in stock;
 * `unknown` (a stale or missing inventory fact) states no status at all.
 */
const STOCK_STATUS: Readonly<Record<ListingAvailability, string | undefined>> = {
  in_stock: 'in_stock',
  low_stock: 'in_stock',
  out_of_stock: 'out_of_stock',
  unknown: undefined,
};

/**
 * One stored product as a UCP product, or why it is not listed. `product` is undefined when the
 * catalog has no such id (the profile is then the domain's unknown-product profile).
 */
export function projectCatalogProduct(
  product: ProductFacts | undefined,
  profile: ProductActionProfile,
): CatalogProjection {
  const price = product === undefined ? undefined : listedPrice(product, profile);
  const facts: Facts = { product, profile, price };
  const unlisted = UNLISTED_WHEN.find((row) => row.when(facts));
  if (unlisted !== undefined || product === undefined || price === undefined)
    return { listed: false, reason: unlisted?.reason ?? 'not_found' };

  // product.json and variant.json both require a description with at least one format. Text
  // that may not be shown (generated, awaiting review) is never sent, so an empty plain text
  // stands for "no description" rather than inventing one.
  const description = { plain: publishableDescription(product) ?? '' };
  const status = STOCK_STATUS[listedAvailability(product, profile)];
  const variant: UcpVariant = {
    id: product.id,
    title: product.title,
    description,
    price,
    // variant.json: "Whether this variant can be purchased" — the domain's checkoutEligible,
    // the same fact the ACP feed's `availability.available` states.
    availability: { available: checkoutEligible(profile) },
  };
  if (status !== undefined) variant.availability.status = status;
  if (product.sku !== undefined) variant.sku = product.sku;
  if (product.url !== undefined) variant.url = product.url;
  if (product.gtin !== undefined) variant.barcodes = [{ type: 'GTIN', value: product.gtin }];

  const ucp: UcpProduct = {
    id: product.id,
    title: product.title,
    description,
    categories: [{ value: product.categoryName ?? product.category, taxonomy: 'merchant' }],
    price_range: { min: price, max: price },
    variants: [variant],
  };
  if (product.url !== undefined) ucp.url = product.url;
  if (product.imageUrl !== undefined)
    ucp.media = [{ type: 'image', url: product.imageUrl, alt_text: product.title }];
  return { listed: true, product: ucp };
}
