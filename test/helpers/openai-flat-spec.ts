import { z } from 'zod';
import { CURRENCY_EXPONENTS } from '../../src/domain/index.js';

/**
 * OpenAI's product feed reference as a row checker, written from its tables and not from the
 * code under test (https://developers.openai.com/commerce/specs/file-upload/products, with the
 * market fields https://developers.openai.com/commerce/specs/feed calls required).
 */
export const OPENAI_FLAT_REQUIRED = [
  // "Basic product data": the nine required fields
  'item_id',
  'title',
  'description',
  'url',
  'brand',
  'seller_name',
  'image_url',
  'availability',
  'price',
  // "Geo tagging"
  'target_countries',
  'store_country',
] as const;

/** "Conditionally required for checkout" */
export const OPENAI_FLAT_CHECKOUT_REQUIRED = ['seller_privacy_policy', 'seller_tos'] as const;

const httpUrl = z.url({ protocol: /^https?$/ });
const country = z.string().regex(/^[A-Z]{2}$/);
const nonEmpty = z.string().trim().min(1);

/** `79.99 USD`: a positive decimal in major units with exactly the currency's decimals. */
const money = z.string().superRefine((value, ctx) => {
  const match = /^(\d+)(?:\.(\d+))? ([A-Z]{3})$/.exec(value);
  const exponent = match ? CURRENCY_EXPONENTS[match[3] as keyof typeof CURRENCY_EXPONENTS] : 0;
  if (match === null || exponent === undefined || (match[2]?.length ?? 0) !== exponent) {
    ctx.addIssue({ code: 'custom', message: `not "amount CURRENCY": ${value}` });
  } else if (Number(`${match[1]}.${match[2] ?? '0'}`) <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a positive price: ${value}` });
  }
});

export const OpenAiFlatRowSpec = z
  .looseObject({
    item_id: nonEmpty.max(100),
    title: nonEmpty,
    description: nonEmpty,
    url: httpUrl,
    brand: nonEmpty,
    seller_name: nonEmpty,
    image_url: httpUrl,
    availability: z.enum(['in_stock', 'out_of_stock', 'pre_order', 'backorder', 'unknown']),
    price: money,
    target_countries: z.array(country).min(1),
    store_country: country,
    is_eligible_search: z.boolean().optional(),
    is_eligible_checkout: z.boolean().optional(),
    seller_url: httpUrl.optional(),
    seller_privacy_policy: httpUrl.optional(),
    seller_tos: httpUrl.optional(),
    gtin: z
      .string()
      .regex(/^(\d{8}|\d{12,14})$/)
      .optional(),
    mpn: z.string().max(70).optional(),
    product_category: z.string().optional(),
  })
  .superRefine((row, ctx) => {
    if (row.is_eligible_checkout !== true) return;
    if (row.is_eligible_search === false)
      ctx.addIssue({ code: 'custom', message: 'checkout eligible without search eligibility' });
    for (const field of OPENAI_FLAT_CHECKOUT_REQUIRED) {
      if (row[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'required for checkout' });
    }
  });

/** Every way `row` falls short of the reference; empty when it is a complete row. */
export function openAiFlatRowProblems(row: unknown): string[] {
  const parsed = OpenAiFlatRowSpec.safeParse(row);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}
