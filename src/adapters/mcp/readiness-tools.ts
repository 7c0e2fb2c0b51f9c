import { z } from 'zod';
import { contextArgument } from './context-arguments.js';
import { ProfileOutputSchema } from './decision-output.js';
import type { ToolDefinition } from './tool-definition.js';

/** The hints of every tool that only reads (answered from the profile service). */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export const ProductIdSchema = z
  .string()
  .min(1)
  .max(200)
  .describe('The product id (SKU), e.g. BAG-TRAVEL-42.');

/** The read-only tools, answered from the profile service: the profile the feeds publish. */
export function readinessTools(regions: readonly [string, ...string[]]) {
  const context = contextArgument(regions);
  const getProductReadiness = {
    name: 'get_product_readiness',
    title: 'Product readiness',
    description:
      "Every decision the merchant's commerce rules make for one product in one market: " +
      'discover, compare, quote_policy (per policy domain), add_to_cart, prepare_checkout and ' +
      'delegate_payment, each with its result, the blockers that stop it and what would lift ' +
      'them, and validUntil (ask again after it).',
    input: z.strictObject({ productId: ProductIdSchema, context: context.prefault({}) }),
    output: ProfileOutputSchema,
    annotations: READ_ONLY,
  } satisfies ToolDefinition;
  return { getProductReadiness };
}
