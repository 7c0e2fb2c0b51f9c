import { z } from 'zod';
import type { IntentAnswer } from '../../domain/index.js';
import {
  BuyerTypeSchema,
  type CommerceAction,
  CurrencyCodeSchema,
  type PolicyDomain,
  PolicyDomainSchema,
  ProductIdSchema,
} from '../../domain/index.js';
import { AllowanceSchema } from '../acp/allowance.js';
import { ACTION_NAMES, requestKindOf, WATCH_ACTION_NAMES } from './action-vocabulary.js';
import { A2aProtocolError, paramsIssues } from './errors.js';

/**
 * The request an agent puts in the message's data part (or, as JSON, in its text), e.g.
 * `{ "action": "quote_policy", "productId": "BAG-TRAVEL-42", "policyDomain": "returns",
 *    "country": "DE", "buyerType": "consumer" }`.
 * Objects are strict: a misspelt field is named in the error rather than silently ignored.
 */

const country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, { message: 'an ISO 3166-1 alpha-2 country code such as DE' });
const ref = z.string().min(1).max(200);

/** Who the agent acts for and under what authority; kept on the intent, judged by the domain. */
const actorFields = {
  buyerId: ref.optional(),
  authorityRef: z.string().min(1).max(500).optional(),
  currency: CurrencyCodeSchema.optional(),
};

const ProductReadSchema = z.strictObject({
  action: z.string(),
  productId: ProductIdSchema,
  country,
  buyerType: BuyerTypeSchema,
  ...actorFields,
});

const QuotePolicySchema = ProductReadSchema.extend({ policyDomain: PolicyDomainSchema.optional() });

const AddToCartSchema = z
  .strictObject({
    action: z.string(),
    cartId: ref.optional(),
    productId: ProductIdSchema,
    quantity: z.number().int().min(1).max(10_000),
    country: country.optional(),
    buyerType: BuyerTypeSchema.optional(),
    ...actorFields,
  })
  .superRefine((request, ctx) => {
    // A new cart is opened for a buyer context; an existing cart already has one.
    if (request.cartId !== undefined) return;
    for (const field of ['country', 'buyerType'] as const) {
      if (request[field] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'needed to open a new cart (no cartId given)',
        });
    }
  });

const PrepareCheckoutSchema = z.strictObject({
  action: z.string(),
  cartId: ref,
  country: country.optional(),
  buyerType: BuyerTypeSchema.optional(),
  ...actorFields,
});

/**
 * The ACP delegate-payment allowance (2026-04-17), the schema adapters/acp/ owns; strict here
 * so a misspelt field in a message is named instead of dropped.
 */
export const AcpAllowanceSchema = AllowanceSchema.strict();
export type AcpAllowance = z.infer<typeof AcpAllowanceSchema>;

/** AP2 mandates as presented (SD-JWTs or `~~`-joined chains), verified where the checkout is. */
const Ap2MandatesSchema = z.strictObject({
  checkout_mandate: z.string().min(1).max(65_536),
  payment_mandate: z.string().min(1).max(65_536),
});

/** The payment authority is an ACP allowance or AP2 mandates, exactly one of them. */
const DelegatePaymentSchema = z
  .strictObject({
    action: z.string(),
    checkoutId: ref,
    allowance: AcpAllowanceSchema.optional(),
    ap2: Ap2MandatesSchema.optional(),
    ...actorFields,
  })
  .superRefine((value, ctx) => {
    if ((value.allowance === undefined) === (value.ap2 === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['allowance'],
        message: 'send exactly one payment authority: an ACP allowance or AP2 mandates (ap2)',
      });
  });

/**
 * Reads only the action name first, to pick the action's schema. Built once: zod compiles an
 * object schema on its first parse, which per request cost more than the rest of the ingress.
 * A wrong name is told every name this agent reads, the product-watch words too (read-message.ts
 * sends those to watch-request.ts before this schema sees them).
 */
const ActionNameSchema = z.object({
  action: z.enum(ACTION_NAMES, {
    error: `expected one of ${[...ACTION_NAMES, ...WATCH_ACTION_NAMES].join(', ')}`,
  }),
});

const SCHEMA_OF: Record<CommerceAction | 'profile', z.ZodType> = {
  discover: ProductReadSchema,
  compare: ProductReadSchema,
  profile: ProductReadSchema,
  quote_policy: QuotePolicySchema,
  add_to_cart: AddToCartSchema,
  prepare_checkout: PrepareCheckoutSchema,
  delegate_payment: DelegatePaymentSchema,
};

/** A request in canonical terms, before it becomes an intent. */
export interface CanonicalRequest {
  action: CommerceAction;
  answer: IntentAnswer;
  policyDomain?: PolicyDomain;
  productId?: string;
  quantity?: number;
  cartId?: string;
  checkoutId?: string;
  country?: string;
  buyerType?: 'consumer' | 'business';
  currency?: string;
  buyerId?: string;
  authorityRef?: string;
  allowance?: AcpAllowance;
  ap2?: z.infer<typeof Ap2MandatesSchema>;
}

export function invalid(path: string, message: string): A2aProtocolError {
  return new A2aProtocolError('INVALID_PARAMS', `Invalid params: ${path}: ${message}`, {
    problems: [{ path, message }],
  });
}

/** One message id sent again with another request: refused, never answered with the first. */
export function reusedMessageId(messageId: string): A2aProtocolError {
  return new A2aProtocolError(
    'INVALID_PARAMS',
    `messageId ${messageId} was already used for a different request`,
    { problems: [{ path: 'params.message.messageId', message: 'reused for another request' }] },
  );
}

/** The problems of a zod failure as one invalid-params error. */
export function invalidParams(error: z.ZodError, at: string): A2aProtocolError {
  const problems = paramsIssues(error, at);
  return new A2aProtocolError(
    'INVALID_PARAMS',
    `Invalid params: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    { problems },
  );
}

/**
 * Every member a request may have. An object using any of them is meant as a request, so what
 * is missing or misspelt is named in an error rather than met with a general question.
 */
const REQUEST_KEYS: ReadonlySet<string> = new Set(
  Object.values(SCHEMA_OF).flatMap((schema) =>
    schema instanceof z.ZodObject ? Object.keys(schema.shape) : [],
  ),
);

/**
 * Whether a value is meant as a request: a JSON object with a member of the request vocabulary.
 * Anything else in a message (free text, other data) is conversation, answered by asking for a
 * request.
 */
export function isRequestObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).some((key) => REQUEST_KEYS.has(key))
  );
}

/**
 * Reads one request object (from a data part, or JSON text) in canonical terms. `at` is the
 * JSON path it came from, so every problem names the field to fix.
 */
export function parseRequest(data: Record<string, unknown>, at: string): CanonicalRequest {
  const named = ActionNameSchema.safeParse(data);
  if (!named.success) throw invalidParams(named.error, at);
  const kind = requestKindOf(named.data.action);
  const schemaKey = kind.kind === 'profile' ? 'profile' : kind.action;
  const parsed = SCHEMA_OF[schemaKey].safeParse(data);
  if (!parsed.success) throw invalidParams(parsed.error, at);
  const fields = parsed.data as Omit<CanonicalRequest, 'action' | 'answer'> & { action: string };
  const { action: _name, ...rest } = fields;
  if (kind.kind === 'profile') return { ...rest, action: 'discover', answer: 'profile' };
  if (
    kind.policyDomain !== undefined &&
    rest.policyDomain !== undefined &&
    rest.policyDomain !== kind.policyDomain
  )
    throw invalid(
      `${at}.policyDomain`,
      `${named.data.action} asks about ${kind.policyDomain}, not ${rest.policyDomain}`,
    );
  const request: CanonicalRequest = { ...rest, action: kind.action, answer: 'decision' };
  const domain = kind.policyDomain ?? rest.policyDomain;
  if (domain !== undefined) request.policyDomain = domain;
  return request;
}
