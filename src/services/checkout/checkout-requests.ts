import { z } from 'zod';
import { EvaluationContextSchema, PAYMENT_ACTIONS } from '../../domain/index.js';

/**
 * What callers may ask of the checkout service, as zod schemas: the HTTP routes type their
 * bodies with these. Starting a payment takes the domain's authority input, which each protocol
 * maps from its own wire object (the ACP allowance: adapters/acp/).
 */

export const CreateCheckoutSchema = z.object({ context: EvaluationContextSchema });
export const AddItemSchema = z.object({
  productId: z.string().min(1).max(128),
  quantity: z.number().int().positive().max(10_000),
  expectedVersion: z.number().int().positive().optional(),
});
export const VersionOnlySchema = z.object({
  expectedVersion: z.number().int().positive().optional(),
});
export const PaymentActionSchema = z.object({
  action: z.enum(PAYMENT_ACTIONS),
  /** Refund amount in minor units; all that is still refundable when absent. */
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  expectedVersion: z.number().int().positive().optional(),
});
