import { z } from 'zod';
import {
  ActorSchema,
  CurrencyCodeSchema,
  EvaluationContextSchema,
  InstantSchema,
} from '../../domain/index.js';

/**
 * What callers may ask of the checkout service, as zod schemas: the HTTP routes type their
 * bodies with these, and the A2A adapter reuses the ACP allowance.
 */

/** ACP delegate-payment allowance (spec 2026-04-17, `Allowance`). */
export const AllowanceSchema = z.object({
  reason: z.literal('one_time'),
  /** Minor units. */
  max_amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** ISO 4217, lower case as ACP sends it. */
  currency: z
    .string()
    .regex(/^[a-z]{3}$/, { message: 'three lower-case letters, e.g. eur' })
    .refine((code) => CurrencyCodeSchema.safeParse(code.toUpperCase()).success, {
      message: 'must be a supported ISO 4217 currency code',
    }),
  checkout_session_id: z.string().min(1).max(200),
  merchant_id: z.string().min(1).max(256),
  expires_at: InstantSchema,
});
export type Allowance = z.infer<typeof AllowanceSchema>;

export const CreateCheckoutSchema = z.object({ context: EvaluationContextSchema });
export const AddItemSchema = z.object({
  productId: z.string().min(1).max(128),
  quantity: z.number().int().positive().max(10_000),
  expectedVersion: z.number().int().positive().optional(),
});
export const VersionOnlySchema = z.object({
  expectedVersion: z.number().int().positive().optional(),
});
export const CompleteSchema = z.object({
  allowance: AllowanceSchema,
  /** The delegated payment token's id (ACP vault token); names the mandate in evidence. */
  allowanceRef: z.string().min(1).max(500).optional(),
  actor: ActorSchema,
  expectedVersion: z.number().int().positive().optional(),
});
export const PAYMENT_ACTIONS = ['capture', 'void', 'refund'] as const;
export const PaymentActionSchema = z.object({
  action: z.enum(PAYMENT_ACTIONS),
  /** Refund amount in minor units; all that is still refundable when absent. */
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  expectedVersion: z.number().int().positive().optional(),
});
