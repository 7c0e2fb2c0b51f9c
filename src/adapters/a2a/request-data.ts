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
import { ACTION_NAMES, requestKindOf } from './action-vocabulary.js';
import { A2aProtocolError, paramsIssues } from './errors.js';
import type { InboundMessage } from './operation.js';

/**
 * The request an agent puts in the message's data part, e.g.
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

const DelegatePaymentSchema = z.strictObject({
  action: z.string(),
  checkoutId: ref,
  allowance: AcpAllowanceSchema,
  ...actorFields,
});

/**
 * Reads only the action name first, to pick the action's schema. Built once: zod compiles an
 * object schema on its first parse, which per request cost more than the rest of the ingress.
 */
const ActionNameSchema = z.object({ action: z.enum(ACTION_NAMES) });

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
}

function invalid(path: string, message: string): A2aProtocolError {
  return new A2aProtocolError('INVALID_PARAMS', `Invalid params: ${path}: ${message}`, {
    problems: [{ path, message }],
  });
}

/**
 * Finds the one data part of a user message and reads it as a request. Text parts may ride
 * along (agents often add a sentence); the data part is what is acted on.
 */
export function requestOf(message: InboundMessage, root = 'params.message'): CanonicalRequest {
  if (message.role !== 'user') throw invalid(`${root}.role`, 'requests come from the user role');
  const dataParts = message.parts
    .map((part, index) => ({ part, index }))
    .filter((entry) => entry.part.type === 'data');
  if (dataParts.length !== 1)
    throw invalid(
      `${root}.parts`,
      `expected exactly one data part holding the request, found ${dataParts.length}`,
    );
  const { part, index } = dataParts[0] as (typeof dataParts)[number];
  const data = (part as { data: Record<string, unknown> }).data;
  const at = `${root}.parts[${index}].data`;

  const named = ActionNameSchema.safeParse(data);
  if (!named.success) {
    const problems = paramsIssues(named.error, at);
    throw new A2aProtocolError(
      'INVALID_PARAMS',
      `Invalid params: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
  const kind = requestKindOf(named.data.action);
  const schemaKey = kind.kind === 'profile' ? 'profile' : kind.action;
  const parsed = SCHEMA_OF[schemaKey].safeParse(data);
  if (!parsed.success) {
    const problems = paramsIssues(parsed.error, at);
    throw new A2aProtocolError(
      'INVALID_PARAMS',
      `Invalid params: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
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
