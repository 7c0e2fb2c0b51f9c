import type { BlockerCode } from './blockers.js';
import type { ProductActionProfile } from './decision.js';
import { decisionFor } from './eligibility/evaluate.js';
import type { Money } from './money.js';
import { checkoutEligible, searchEligible } from './projections.js';
import { INVENTORY_STATUSES, type ProductFacts, publishableDescription } from './truth.js';

/**
 * A listing: what a product catalog row tells shopping agents about one product — its facts as
 * far as the decisions stand on them, and the merchant's details — and whether it is complete
 * enough to publish at all. Surfaces only project a listing; they never fill a gap themselves.
 */

/** What a listing may state about stock; `unknown` when the decision cannot stand on a fact. */
export const LISTING_AVAILABILITIES = [...INVENTORY_STATUSES, 'unknown'] as const;
export type ListingAvailability = (typeof LISTING_AVAILABILITIES)[number];

export interface StockFinding {
  code: BlockerCode;
  availability: ListingAvailability;
}

/**
 * add_to_cart findings that say what may be stated about stock, first match first. A stale
 * "out of stock" still says out of stock (staleness never helps); a stale or missing fact lets
 * nothing be stated. Without any of these, the decision stands on the fresh inventory fact.
 */
export const STOCK_FINDINGS: readonly StockFinding[] = [
  { code: 'OUT_OF_STOCK', availability: 'out_of_stock' },
  { code: 'INVENTORY_STALE', availability: 'unknown' },
  { code: 'INVENTORY_MISSING', availability: 'unknown' },
];

/**
 * compare findings that say its price fact may not be stated. Every check runs whatever the
 * others find, so their absence means the price was fresh when the decision was made, even on a
 * product compare blocks for another reason (an inactive one).
 */
export const PRICE_FINDINGS: readonly BlockerCode[] = ['PRICE_MISSING', 'PRICE_STALE'];

/** The stock a listing states: what the add_to_cart decision stood on. */
export function listedAvailability(
  product: ProductFacts,
  profile: ProductActionProfile,
): ListingAvailability {
  const decision = decisionFor(profile, 'add_to_cart');
  if (decision === undefined || product.inventory === undefined) return 'unknown';
  for (const row of STOCK_FINDINGS) {
    if (decision.blockers.some((b) => b.code === row.code)) return row.availability;
  }
  return product.inventory.status;
}

/** The price a listing states: the one the compare decision stood on, never a stale one. */
export function listedPrice(
  product: ProductFacts,
  profile: ProductActionProfile,
): Money | undefined {
  const decision = decisionFor(profile, 'compare');
  if (decision === undefined || product.price === undefined) return undefined;
  if (decision.blockers.some((b) => PRICE_FINDINGS.includes(b.code))) return undefined;
  return { amount: product.price.amount, currency: product.price.currency };
}

/** The merchant's own details every listing carries: per merchant, so configuration, not facts. */
export interface ListingSeller {
  name?: string;
  url?: string;
  privacyPolicyUrl?: string;
  termsUrl?: string;
  /** ISO 3166-1 alpha-2 country of the seller's store */
  storeCountry?: string;
  /** ISO 3166-1 alpha-2 countries the listing is offered in */
  targetCountries?: readonly string[];
}

export interface Listing {
  productId: string;
  title: string;
  description?: string;
  url?: string;
  imageUrl?: string;
  brand?: string;
  gtin?: string;
  mpn?: string;
  category: string;
  price?: Money;
  availability: ListingAvailability;
  /** searchEligible: the discover decision */
  searchable: boolean;
  /** checkoutEligible: prepare_checkout, and only ever with discover */
  purchasable: boolean;
  seller: ListingSeller;
}

export function listingOf(
  product: ProductFacts,
  profile: ProductActionProfile,
  seller: ListingSeller,
): Listing {
  const listing: Listing = {
    productId: product.id,
    title: product.title,
    category: product.categoryName ?? product.category,
    availability: listedAvailability(product, profile),
    searchable: searchEligible(profile),
    purchasable: checkoutEligible(profile),
    seller,
  };
  const description = publishableDescription(product);
  if (description !== undefined && description.trim().length > 0) listing.description = description;
  if (product.url !== undefined) listing.url = product.url;
  if (product.imageUrl !== undefined) listing.imageUrl = product.imageUrl;
  if (product.brand !== undefined) listing.brand = product.brand;
  if (product.gtin !== undefined) listing.gtin = product.gtin;
  if (product.mpn !== undefined) listing.mpn = product.mpn;
  const price = listedPrice(product, profile);
  if (price !== undefined) listing.price = price;
  return listing;
}

/** What a listing states, named by what it is (surfaces name them their own way). */
const VALUE_OF = {
  title: (l: Listing) => l.title,
  description: (l: Listing) => l.description,
  url: (l: Listing) => l.url,
  imageUrl: (l: Listing) => l.imageUrl,
  brand: (l: Listing) => l.brand,
  price: (l: Listing) => l.price,
  availability: (l: Listing) => l.availability,
  sellerName: (l: Listing) => l.seller.name,
  sellerUrl: (l: Listing) => l.seller.url,
  sellerPrivacyPolicyUrl: (l: Listing) => l.seller.privacyPolicyUrl,
  sellerTermsUrl: (l: Listing) => l.seller.termsUrl,
  storeCountry: (l: Listing) => l.seller.storeCountry,
  targetCountries: (l: Listing) =>
    l.seller.targetCountries === undefined || l.seller.targetCountries.length === 0
      ? undefined
      : l.seller.targetCountries,
} as const satisfies Record<string, (listing: Listing) => unknown>;

export type ListingField = keyof typeof VALUE_OF;

export interface ListingRequirement {
  field: ListingField;
  /** `always`, or only on a listing that offers checkout */
  when: 'always' | 'purchasable';
}

/**
 * What a listing must state before a catalog of agents sees it, as OpenAI's commerce product
 * feed reference defines a complete row (read 2026-12):
 * - https://developers.openai.com/commerce/specs/file-upload/products — the nine required
 *   "Basic product data" fields (item_id, title, description, url, brand, seller_name,
 *   image_url, availability, price; item_id is the product id, always there); checkout adds
 *   seller_privacy_policy and seller_tos ("conditionally required for checkout");
 * - https://developers.openai.com/commerce/specs/feed — also requires the market fields
 *   target_countries and store_country ("Geo tagging"), so they are required here too.
 * A listing short of any is left out rather than published incomplete.
 */
export const CATALOG_LISTING_REQUIREMENTS: readonly ListingRequirement[] = [
  { field: 'title', when: 'always' },
  { field: 'description', when: 'always' },
  { field: 'url', when: 'always' },
  { field: 'brand', when: 'always' },
  { field: 'sellerName', when: 'always' },
  { field: 'imageUrl', when: 'always' },
  { field: 'availability', when: 'always' },
  { field: 'price', when: 'always' },
  { field: 'targetCountries', when: 'always' },
  { field: 'storeCountry', when: 'always' },
  { field: 'sellerPrivacyPolicyUrl', when: 'purchasable' },
  { field: 'sellerTermsUrl', when: 'purchasable' },
];

export interface ListingGap {
  field: ListingField;
  /** `not_positive`: a price of zero, which no catalog lists as a regular price */
  problem: 'missing' | 'not_positive';
}

/** Every requirement the listing falls short of, in the table's order; empty when complete. */
export function listingGaps(
  listing: Listing,
  requirements: readonly ListingRequirement[] = CATALOG_LISTING_REQUIREMENTS,
): ListingGap[] {
  const gaps: ListingGap[] = [];
  for (const { field, when } of requirements) {
    if (when === 'purchasable' && !listing.purchasable) continue;
    const value = VALUE_OF[field](listing);
    if (value === undefined || value === '') gaps.push({ field, problem: 'missing' });
    else if (field === 'price' && listing.price !== undefined && listing.price.amount <= 0)
      gaps.push({ field, problem: 'not_positive' });
  }
  return gaps;
}
