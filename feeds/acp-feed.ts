import { z } from 'zod';
import {
  checkoutEligible,
  listedAvailability,
  listedPrice,
  publishableDescription,
  searchEligible,
} from '../src/domain/index.js';
import { compileItemSerializer, type FeedFormat, type FeedItemInput } from './feed-format.js';

/**
 * ACP product feed (spec/unreleased/json-schema/schema.feed.json): the file is a
 * `ProductsResponse` ({"products": [Product…]}), each product with one variant per SKU.
 * Only products the domain lets agents find (`searchEligible`) are listed;
 * `availability.available` (the spec's "currently purchasable") is `checkoutEligible` and nothing
 * else, and `availability.status` the stock the domain lets a listing state.
 * The zod schema below is the subset of `$defs/Product` we emit; every item is validated
 * against the official schema in test/feeds/acp-feed.test.ts.
 */
const PriceSchema = z.object({ amount: z.number().int().min(0), currency: z.string() });

const AcpVariantSchema = z.object({
  id: z.string(),
  title: z.string(),
  price: PriceSchema.optional(),
  availability: z.object({ available: z.boolean(), status: z.string().optional() }),
  categories: z.array(z.object({ value: z.string(), taxonomy: z.string() })),
  seller: z.object({ name: z.string() }).optional(),
});

export const AcpProductSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.object({ plain: z.string() }).optional(),
  url: z.string().optional(),
  media: z
    .array(z.object({ type: z.string(), url: z.string(), alt_text: z.string().optional() }))
    .optional(),
  variants: z.array(AcpVariantSchema),
});
export type AcpProduct = z.infer<typeof AcpProductSchema>;

/** ACP's known fulfillment states for our inventory statuses. */
const ACP_STATUS = {
  in_stock: 'in_stock',
  low_stock: 'limited_stock',
  out_of_stock: 'out_of_stock',
} as const;

export function projectAcpProduct(input: FeedItemInput, sellerName?: string): AcpProduct | null {
  const { product, profile } = input;
  if (!searchEligible(profile)) return null;
  const status = listedAvailability(product, profile);
  const variant: AcpProduct['variants'][number] = {
    id: product.sku ?? product.id,
    title: product.title,
    availability: { available: checkoutEligible(profile) },
    categories: [{ value: product.categoryName ?? product.category, taxonomy: 'merchant' }],
  };
  if (status !== 'unknown') variant.availability.status = ACP_STATUS[status];
  const price = listedPrice(product, profile);
  if (price !== undefined) variant.price = price;
  if (sellerName !== undefined) variant.seller = { name: sellerName };
  const item: AcpProduct = { id: product.id, title: product.title, variants: [variant] };
  const description = publishableDescription(product);
  if (description !== undefined && description.length > 0)
    item.description = { plain: description };
  if (product.url !== undefined) item.url = product.url;
  if (product.imageUrl !== undefined)
    item.media = [{ type: 'image', url: product.imageUrl, alt_text: product.title }];
  return item;
}

export function acpFeed(sellerName?: string): FeedFormat<AcpProduct> {
  return {
    name: 'acp',
    extension: 'json',
    contentType: 'application/json',
    gzip: false,
    framing: { head: '{"products":[', between: ',', after: '', tail: ']}' },
    project: (input) => projectAcpProduct(input, sellerName),
    serialize: compileItemSerializer(AcpProductSchema),
  };
}
