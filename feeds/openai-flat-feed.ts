import { z } from 'zod';
import { formatMinorUnits, type Money, publishableDescription } from '../src/domain/index.js';
import {
  compileItemSerializer,
  decidedInventoryStatus,
  decidedPrice,
  type FeedFormat,
  type FeedItemInput,
  isAllowed,
} from './feed-format.js';

/**
 * OpenAI's flat product feed (jsonl, gzip): one line per product. The two flags are decisions:
 * `is_eligible_search` is discover, `is_eligible_checkout` is prepare_checkout, and the spec's
 * rule that checkout eligibility requires search eligibility holds by construction.
 * Every product is listed, so a product that stops being eligible is switched off explicitly.
 */
export const OpenAiFlatItemSchema = z.object({
  item_id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  url: z.string().optional(),
  brand: z.string().optional(),
  image_url: z.string().optional(),
  /** `129.00 EUR`: the decided (fresh) price only */
  price: z.string().optional(),
  availability: z.enum(['in_stock', 'out_of_stock']).optional(),
  product_category: z.string(),
  seller_name: z.string().optional(),
  is_eligible_search: z.boolean(),
  is_eligible_checkout: z.boolean(),
});
export type OpenAiFlatItem = z.infer<typeof OpenAiFlatItemSchema>;

export function projectOpenAiFlatItem(input: FeedItemInput, sellerName?: string): OpenAiFlatItem {
  const { product, profile } = input;
  const search = isAllowed(profile, 'discover');
  const item: OpenAiFlatItem = {
    item_id: product.id,
    title: product.title,
    product_category: product.categoryName ?? product.category,
    is_eligible_search: search,
    is_eligible_checkout: search && isAllowed(profile, 'prepare_checkout'),
  };
  const description = publishableDescription(product);
  if (description !== undefined) item.description = description;
  if (product.url !== undefined) item.url = product.url;
  if (product.brand !== undefined) item.brand = product.brand;
  if (product.imageUrl !== undefined) item.image_url = product.imageUrl;
  const price = decidedPrice(input);
  if (price !== undefined) item.price = `${formatMinorUnits(price as Money)} ${price.currency}`;
  const status = decidedInventoryStatus(input);
  if (status !== undefined)
    item.availability = status === 'out_of_stock' ? 'out_of_stock' : 'in_stock';
  if (sellerName !== undefined) item.seller_name = sellerName;
  return item;
}

export function openAiFlatFeed(sellerName?: string): FeedFormat<OpenAiFlatItem> {
  return {
    name: 'openai-flat',
    extension: 'jsonl.gz',
    contentType: 'application/gzip',
    gzip: true,
    framing: { head: '', between: '', after: '\n', tail: '' },
    project: (input) => projectOpenAiFlatItem(input, sellerName),
    serialize: compileItemSerializer(OpenAiFlatItemSchema),
  };
}
