import { z } from 'zod';

/**
 * The request bodies of ACP checkout sessions (2026-04-17, schema.agentic_checkout.json:
 * `CheckoutSessionCreateRequest`, `…UpdateRequest`, `…CompleteRequest`, `CancelSessionRequest`)
 * as zod schemas the routes validate with: closed where the spec says `additionalProperties:
 * false`, the parts the adapter does not read only checked to be objects. Strings are bounded
 * so a body cannot grow without limit.
 */

const text = (max = 256) => z.string().max(max);

/** Parts of a request the adapter carries through without reading (spec shapes are open). */
const opaqueObject = z.looseObject({});

export const AddressSchema = z.strictObject({
  name: text(),
  line_one: text(),
  line_two: text().optional(),
  city: text(),
  state: text(),
  /** ISO 3166-1 alpha-2. */
  country: z.string().regex(/^[A-Za-z]{2}$/, { message: 'an ISO 3166-1 alpha-2 country code' }),
  postal_code: text(32),
});

export const BuyerSchema = z.strictObject({
  first_name: text().optional(),
  last_name: text().optional(),
  full_name: text().optional(),
  email: z.email().max(320),
  phone_number: text(64).optional(),
  customer_id: text().optional(),
  account_type: z.enum(['guest', 'registered', 'business']).optional(),
  authentication_status: z.enum(['authenticated', 'guest', 'requires_signin']).optional(),
  company: z.looseObject({ name: text() }).optional(),
  loyalty: opaqueObject.optional(),
  tax_exemption: opaqueObject.optional(),
});
export type AcpBuyer = z.infer<typeof BuyerSchema>;

export const FulfillmentDetailsSchema = z.strictObject({
  name: text().optional(),
  phone_number: text(64).optional(),
  email: z.email().max(320).optional(),
  address: AddressSchema.optional(),
});
export type AcpFulfillmentDetails = z.infer<typeof FulfillmentDetailsSchema>;

/**
 * `Item`: one unit of a product by its id. The spec's Item has no quantity, so two units are the
 * id twice. `name` and `unit_amount` are the agent's view and are not used: the domain prices.
 */
export const ItemSchema = z.strictObject({
  id: z.string().min(1).max(128),
  name: text().optional(),
  unit_amount: z.number().int().optional(),
});

/** At most this many item entries (units) per request. */
export const MAX_ITEMS = 100;

export const SelectedFulfillmentOptionSchema = z.strictObject({
  type: z.enum(['shipping', 'digital', 'pickup', 'local_delivery']),
  option_id: z.string().min(1).max(128),
  item_ids: z.array(z.string().max(128)).max(MAX_ITEMS),
});

const orderNotes = z.string().max(5000).optional();

export const CreateSessionRequestSchema = z.strictObject({
  buyer: BuyerSchema.optional(),
  line_items: z.array(ItemSchema).min(1).max(MAX_ITEMS),
  currency: z.string().regex(/^[A-Za-z]{3}$/, { message: 'an ISO 4217 currency code' }),
  fulfillment_details: FulfillmentDetailsSchema.optional(),
  capabilities: opaqueObject,
  fulfillment_groups: z.array(opaqueObject).max(MAX_ITEMS).optional(),
  affiliate_attribution: opaqueObject.optional(),
  coupons: z.array(text()).max(20).optional(),
  discounts: opaqueObject.optional(),
  locale: text(35).optional(),
  timezone: text(64).optional(),
  quote_id: text().optional(),
  metadata: opaqueObject.optional(),
  order_notes: orderNotes,
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;

export const UpdateSessionRequestSchema = z.strictObject({
  buyer: BuyerSchema.optional(),
  line_items: z.array(ItemSchema).max(MAX_ITEMS).optional(),
  fulfillment_details: FulfillmentDetailsSchema.optional(),
  fulfillment_groups: z.array(opaqueObject).max(MAX_ITEMS).optional(),
  selected_fulfillment_options: z.array(SelectedFulfillmentOptionSchema).max(10).optional(),
  coupons: z.array(text()).max(20).optional(),
  discounts: opaqueObject.optional(),
  order_notes: orderNotes,
});
export type UpdateSessionRequest = z.infer<typeof UpdateSessionRequestSchema>;

/** `PaymentData`: a handler's instrument (ours: a delegated vault token) or a purchase order. */
export const PaymentDataSchema = z
  .strictObject({
    handler_id: text().optional(),
    instrument: z
      .looseObject({
        type: text(),
        credential: z.looseObject({ type: text(), token: z.string().min(1).max(500) }),
      })
      .optional(),
    billing_address: AddressSchema.optional(),
    purchase_order_number: text().optional(),
    payment_terms: z.enum(['immediate', 'net_15', 'net_30', 'net_60', 'net_90']).optional(),
    due_date: z.iso.datetime({ offset: true }).optional(),
    approval_required: z.boolean().optional(),
  })
  .refine(
    (data) =>
      (data.handler_id !== undefined && data.instrument !== undefined) ||
      data.purchase_order_number !== undefined,
    { message: 'send handler_id with instrument, or purchase_order_number' },
  );

export const CompleteSessionRequestSchema = z.strictObject({
  buyer: BuyerSchema.optional(),
  payment_data: PaymentDataSchema,
  authentication_result: opaqueObject.optional(),
  affiliate_attribution: opaqueObject.optional(),
  risk_signals: opaqueObject.optional(),
  marketing_consents: z.array(opaqueObject).max(20).optional(),
  order_notes: orderNotes,
});
export type CompleteSessionRequest = z.infer<typeof CompleteSessionRequestSchema>;

/**
 * The body is optional (`requestBody.required: false`; fastify reads none as null);
 * `intent_trace` is analytics only.
 */
export const CancelSessionRequestSchema = z
  .looseObject({ intent_trace: z.looseObject({ reason_code: text() }).optional() })
  .nullish();

export const SessionParamsSchema = z.strictObject({
  checkout_session_id: z.string().min(1).max(128),
});
