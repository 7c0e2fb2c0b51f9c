import { z } from 'zod';
import type { EvaluationContext } from '../../domain/index.js';
import { regionOfCountry } from '../a2a/regions.js';

/**
 * The request bodies of UCP checkout sessions (2026-04-08, `checkout.json` with its
 * `ucp_request` annotations: create and update require `line_items`, complete requires
 * `payment`; fields the business sets — id, status, totals, messages … — are not requests).
 * The spec's objects are open, so unknown members pass; what the adapter reads is checked and
 * bounded so a body cannot grow without limit.
 */

const text = (max = 256) => z.string().max(max);

/** At most this many lines per request. */
export const MAX_LINE_ITEMS = 100;

const ItemSchema = z.looseObject({ id: z.string().min(1).max(128) });

const LineItemSchema = z.looseObject({
  /** Sent back on update (`ucp_request.update: optional`); lines are matched by item id. */
  id: text(128).optional(),
  item: ItemSchema,
  quantity: z.number().int().min(1).max(10_000),
  parent_id: text(128).optional(),
});

export const UcpBuyerSchema = z.looseObject({
  email: z.email().max(320).optional(),
  first_name: text().optional(),
  last_name: text().optional(),
  phone_number: text(64).optional(),
});

/** `types/context.json`: provisional signals; the country is the one the domain decides on. */
export const UcpContextSchema = z.looseObject({
  address_country: text(64).optional(),
  address_region: text().optional(),
  postal_code: text(32).optional(),
  currency: text(8).optional(),
  language: text(64).optional(),
  intent: text(2_000).optional(),
  eligibility: z.array(text()).max(50).optional(),
});
export type UcpContext = z.infer<typeof UcpContextSchema>;

const lineItems = z.array(LineItemSchema).min(1).max(MAX_LINE_ITEMS);

export const CreateCheckoutRequestSchema = z.looseObject({
  line_items: lineItems,
  buyer: UcpBuyerSchema.optional(),
  context: UcpContextSchema.optional(),
  signals: z.looseObject({}).optional(),
  attribution: z.looseObject({}).optional(),
  payment: z.looseObject({}).optional(),
});
export type CreateCheckoutRequest = z.infer<typeof CreateCheckoutRequestSchema>;

/** Update is a full replacement: the lines sent are the lines wanted. */
export const UpdateCheckoutRequestSchema = CreateCheckoutRequestSchema.extend({
  id: text(128).optional(),
});
export type UpdateCheckoutRequest = z.infer<typeof UpdateCheckoutRequestSchema>;

/** A credential token: a vault token, or under the AP2 extension a payment mandate (SD-JWT). */
const CredentialSchema = z.looseObject({
  type: text(64),
  token: text(65_536).optional(),
});

const InstrumentSchema = z.looseObject({
  id: text(128),
  handler_id: text(128),
  type: text(64),
  selected: z.boolean().optional(),
  credential: CredentialSchema.optional(),
});
export type UcpInstrument = z.infer<typeof InstrumentSchema>;

export const CompleteCheckoutRequestSchema = z.looseObject({
  payment: z.looseObject({ instruments: z.array(InstrumentSchema).min(1).max(10) }),
  signals: z.looseObject({}).optional(),
  attribution: z.looseObject({}).optional(),
  /** ap2_mandate.json: the checkout mandate (SD-JWT+kb), carrying the checkout it agrees to. */
  ap2: z.looseObject({ checkout_mandate: text(262_144).optional() }).optional(),
});
export type CompleteCheckoutRequest = z.infer<typeof CompleteCheckoutRequestSchema>;

/** Cancel takes no body; one that is sent must at least be an object. */
export const CancelCheckoutRequestSchema = z.looseObject({}).nullish();

export const CheckoutParamsSchema = z.strictObject({ id: z.string().min(1).max(200) });

/**
 * The context the domain decides a checkout in: the region of `context.address_country` (the
 * fallback's region without one), a consumer buyer (UCP's buyer has no business flag) and the
 * agent channel. The adapter translates; whether the region is served is the domain's call.
 */
export function checkoutContextOf(
  context: UcpContext | undefined,
  fallback: EvaluationContext,
): EvaluationContext {
  const country = context?.address_country;
  return {
    region: country === undefined ? fallback.region : regionOfCountry(country),
    buyerType: 'consumer',
    channel: 'agent',
  };
}

/** Product → quantity of the lines sent; a product on two lines is their sum. */
export function lineQuantitiesOf(
  lines: readonly { item: { id: string }; quantity: number }[],
): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const line of lines)
    quantities.set(line.item.id, (quantities.get(line.item.id) ?? 0) + line.quantity);
  return quantities;
}
