import { z } from 'zod';
import { CurrencyCodeSchema, InstantSchema } from '../../domain/index.js';

/**
 * The ACP delegate-payment allowance (spec 2026-04-17, `Allowance`) as it arrives on the wire,
 * from the HTTP checkout API and inside A2A messages alike. Parsed here and mapped to the
 * domain's authority input in exactly one place (to-mandate.ts).
 */
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
