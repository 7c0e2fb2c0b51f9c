import { z } from 'zod';
import { GtinSchema } from './gtin.js';
import { MoneySchema } from './money.js';
import { InstantSchema, toMs } from './time.js';

/**
 * Commercial truth: every fact says where it came from, when it was observed and for how long it
 * may be relied on. At a given `now` a fact is fresh, stale or missing.
 */
const observation = {
  observedAt: InstantSchema,
  /** How long after observedAt the fact may be relied on. */
  ttlSeconds: z.number().int().positive().max(31_536_000),
  source: z.string().min(1).max(200),
};

export const PriceFactSchema = MoneySchema.extend(observation).strict();
export type PriceFact = z.infer<typeof PriceFactSchema>;

export const INVENTORY_STATUSES = ['in_stock', 'low_stock', 'out_of_stock'] as const;
export const InventoryFactSchema = z.strictObject({
  status: z.enum(INVENTORY_STATUSES),
  quantity: z.number().int().nonnegative().optional(),
  ...observation,
});
export type InventoryFact = z.infer<typeof InventoryFactSchema>;

export const GENERATED_CLAIMS_STATUSES = ['approved', 'pending_review', 'blocked'] as const;
export const GeneratedClaimsSchema = z.strictObject({
  status: z.enum(GENERATED_CLAIMS_STATUSES),
  /** Generated description; published only once approved. */
  text: z.string().max(20_000).optional(),
});

export const PRODUCT_STATUSES = ['active', 'inactive', 'draft', 'archived'] as const;

/** Feeds publish these links to shoppers' agents: absolute http(s) only, never `javascript:`. */
const webUrl = z.url({ protocol: /^https?$/ });

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { message: 'letters, digits and . _ : - only' });

/** One product in the facts document (`acw evaluate`, `PUT /v1/products/{id}`). */
export const ProductFactsSchema = z.strictObject({
  id,
  sku: id.optional(),
  title: z.string().min(1).max(500),
  /** Category slug, e.g. travel-bags; policies apply by category. */
  category: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lower-case slug such as travel-bags' }),
  categoryName: z.string().min(1).max(200).optional(),
  status: z.enum(PRODUCT_STATUSES),
  /** Approved, merchant-written description (never generated text). */
  description: z.string().max(20_000).optional(),
  url: webUrl.optional(),
  imageUrl: webUrl.optional(),
  brand: z.string().max(200).optional(),
  price: PriceFactSchema.optional(),
  inventory: InventoryFactSchema.optional(),
  generatedClaims: GeneratedClaimsSchema.optional(),
  /** The trade item's GTIN (UPC, EAN, ISBN-13), as the manufacturer assigned it. */
  gtin: GtinSchema.optional(),
  /** Manufacturer part number, punctuation and case kept. */
  mpn: z.string().min(1).max(70).optional(),
});
export type ProductFacts = z.infer<typeof ProductFactsSchema>;
export const ProductIdSchema = id;

export type Freshness = 'fresh' | 'stale' | 'missing';

export interface FactState {
  freshness: Freshness;
  /** ms when the fact stops being fresh; null when missing. */
  expiresAtMs: number | null;
}

const MISSING: FactState = { freshness: 'missing', expiresAtMs: null };

/** fresh until observedAt + ttl (exclusive), stale from then on; missing when there is no fact. */
export function factState(
  fact: { observedAt: string; ttlSeconds: number } | undefined,
  nowMs: number,
): FactState {
  if (fact === undefined) return MISSING;
  const expiresAtMs = toMs(fact.observedAt) + fact.ttlSeconds * 1000;
  return { freshness: nowMs < expiresAtMs ? 'fresh' : 'stale', expiresAtMs };
}

/** Stable evidence id of a fact: which product, which fact, which observation. */
export function factEvidenceId(
  productId: string,
  fact: 'price' | 'inventory',
  observedAt: string,
): string {
  return `${productId}/${fact}@${observedAt}`;
}

/**
 * The description that may be shown to agents: the merchant's own, or generated text once a
 * person approved it. Generated text pending review or blocked is never published.
 */
export function publishableDescription(product: ProductFacts): string | undefined {
  if (product.description !== undefined) return product.description;
  if (product.generatedClaims?.status === 'approved') return product.generatedClaims.text;
  return undefined;
}
