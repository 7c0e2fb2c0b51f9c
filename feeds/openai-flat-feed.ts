import { z } from 'zod';
import {
  CATALOG_LISTING_REQUIREMENTS,
  formatMinorUnits,
  type Listing,
  type ListingAvailability,
  type ListingField,
  type ListingGap,
  type ListingSeller,
  listingGaps,
  listingOf,
} from '../src/domain/index.js';
import {
  compileItemSerializer,
  Excluded,
  type FeedFormat,
  type FeedItemInput,
} from './feed-format.js';

/**
 * OpenAI's flat product feed (jsonl, gzip): one line per product, field names and formats from
 * https://developers.openai.com/commerce/specs/file-upload/products. Every row carries what that
 * reference requires (the domain's CATALOG_LISTING_REQUIREMENTS); a product whose listing falls
 * short is left out and counted in the manifest, never published incomplete.
 *
 * The two flags are decisions: `is_eligible_search` is discover, `is_eligible_checkout` is
 * prepare_checkout (only with search, as the reference requires). These are the reference's
 * names; it still accepts `enable_search` / `enable_checkout` as aliases, which would win over
 * them, so only these are written. Both are always written, so a product that stops being
 * eligible is switched off explicitly.
 */
export const OpenAiFlatItemSchema = z.object({
  item_id: z.string(),
  title: z.string(),
  description: z.string(),
  url: z.string(),
  brand: z.string(),
  seller_name: z.string(),
  image_url: z.string(),
  /** `129.00 EUR`: major units with the currency's decimals, and the decided (fresh) price only */
  price: z.string(),
  availability: z.enum(['in_stock', 'out_of_stock', 'pre_order', 'backorder', 'unknown']),
  target_countries: z.array(z.string()),
  store_country: z.string(),
  is_eligible_search: z.boolean(),
  is_eligible_checkout: z.boolean(),
  seller_url: z.string().optional(),
  seller_privacy_policy: z.string().optional(),
  seller_tos: z.string().optional(),
  product_category: z.string().optional(),
  gtin: z.string().optional(),
  mpn: z.string().optional(),
});
export type OpenAiFlatItem = z.infer<typeof OpenAiFlatItemSchema>;

/** The reference's name for each listing field, so a manifest names what a row lacked. */
const WIRE_NAME: Record<ListingField, keyof OpenAiFlatItem> = {
  title: 'title',
  description: 'description',
  url: 'url',
  imageUrl: 'image_url',
  brand: 'brand',
  price: 'price',
  availability: 'availability',
  sellerName: 'seller_name',
  sellerUrl: 'seller_url',
  sellerPrivacyPolicyUrl: 'seller_privacy_policy',
  sellerTermsUrl: 'seller_tos',
  storeCountry: 'store_country',
  targetCountries: 'target_countries',
};

/** The reference has no "low stock": an item with a few left is in stock. */
const AVAILABILITY: Record<ListingAvailability, OpenAiFlatItem['availability']> = {
  in_stock: 'in_stock',
  low_stock: 'in_stock',
  out_of_stock: 'out_of_stock',
  unknown: 'unknown',
};

/** `missing_image_url`, `not_positive_price` */
export function exclusionReason(gap: ListingGap): string {
  return `${gap.problem}_${WIRE_NAME[gap.field]}`;
}

/** A value the domain's completeness check has already vouched for. */
function present<T>(value: T | undefined, field: ListingField): T {
  if (value === undefined) throw new Error(`complete listing without ${field}`);
  return value;
}

function rowOf(listing: Listing): OpenAiFlatItem {
  const { seller } = listing;
  const price = present(listing.price, 'price');
  const item: OpenAiFlatItem = {
    item_id: listing.productId,
    title: listing.title,
    description: present(listing.description, 'description'),
    url: present(listing.url, 'url'),
    brand: present(listing.brand, 'brand'),
    seller_name: present(seller.name, 'sellerName'),
    image_url: present(listing.imageUrl, 'imageUrl'),
    price: `${formatMinorUnits(price)} ${price.currency}`,
    availability: AVAILABILITY[listing.availability],
    target_countries: [...present(seller.targetCountries, 'targetCountries')],
    store_country: present(seller.storeCountry, 'storeCountry'),
    is_eligible_search: listing.searchable,
    is_eligible_checkout: listing.purchasable,
    product_category: listing.category,
  };
  if (seller.url !== undefined) item.seller_url = seller.url;
  if (seller.privacyPolicyUrl !== undefined) item.seller_privacy_policy = seller.privacyPolicyUrl;
  if (seller.termsUrl !== undefined) item.seller_tos = seller.termsUrl;
  if (listing.gtin !== undefined) item.gtin = listing.gtin;
  if (listing.mpn !== undefined) item.mpn = listing.mpn;
  return item;
}

export function projectOpenAiFlatItem(
  input: FeedItemInput,
  seller: ListingSeller = {},
): OpenAiFlatItem | Excluded {
  const listing = listingOf(input.product, input.profile, seller);
  const gaps = listingGaps(listing, CATALOG_LISTING_REQUIREMENTS);
  if (gaps.length > 0) return new Excluded(gaps.map(exclusionReason));
  return rowOf(listing);
}

export function openAiFlatFeed(seller: ListingSeller = {}): FeedFormat<OpenAiFlatItem> {
  return {
    name: 'openai-flat',
    extension: 'jsonl.gz',
    contentType: 'application/gzip',
    gzip: true,
    framing: { head: '', between: '', after: '\n', tail: '' },
    project: (input) => projectOpenAiFlatItem(input, seller),
    serialize: compileItemSerializer(OpenAiFlatItemSchema),
  };
}
