import { z } from 'zod';
import { CommerceActionSchema } from './actions.js';
import { ActorSchema, MandateSchema } from './authority.js';
import { BuyerTypeSchema, ChannelSchema, RegionSchema } from './context.js';
import { CurrencyCodeSchema } from './money.js';
import { PolicyDomainSchema } from './policy.js';
import { InstantSchema } from './time.js';

/**
 * What a caller asks the platform to evaluate or perform, in canonical terms. Every adapter
 * builds one of these from its protocol's request; none decides anything on its own.
 */
export const CommerceIntentSchema = z.object({
  action: CommerceActionSchema,
  productId: z.string().min(1).max(128).optional(),
  sku: z.string().min(1).max(128).optional(),
  quantity: z.number().int().positive().max(10_000).optional(),
  cartId: z.string().min(1).max(128).optional(),
  checkoutId: z.string().min(1).max(128).optional(),
  policyDomain: PolicyDomainSchema.optional(),
  context: z.object({
    region: RegionSchema.optional(),
    currency: CurrencyCodeSchema.optional(),
    buyerType: BuyerTypeSchema.optional(),
    channel: ChannelSchema,
  }),
  actor: ActorSchema,
  /** The normalised payment artifact, when the request carries one; checked by authority. */
  mandate: MandateSchema.optional(),
  /**
   * Signed mandates as presented (AP2 SD-JWTs), when the request carries those instead: they
   * can only be verified against the checkout as it was signed, so the step that pays verifies
   * them and maps them to `mandate` (adapters/ap2/to-mandate.ts), never the ingress.
   */
  presentedMandates: z
    .object({
      scheme: z.literal('ap2_sd_jwt'),
      checkoutMandate: z.string().min(1).max(65_536),
      paymentMandate: z.string().min(1).max(65_536),
    })
    .optional(),
  idempotencyKey: z.string().min(1).max(300).optional(),
  correlationId: z.string().min(1).max(300).optional(),
  requestedAt: InstantSchema,
});
export type CommerceIntent = z.infer<typeof CommerceIntentSchema>;
