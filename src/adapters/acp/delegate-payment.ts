import { z } from 'zod';
import type { Mandate, RiskAssessment, RiskRecommendation } from '../../domain/index.js';
import { type Allowance, AllowanceSchema } from './allowance.js';
import { mandateOfAllowance } from './to-mandate.js';

/**
 * `POST /agentic_commerce/delegate_payment` (openapi.delegate_payment.yaml, 2026-04-17) on the
 * wire: the request as the spec shapes it (every object closed, as its `additionalProperties:
 * false` says), what the card must also be to be a card, and the request mapped to what the
 * service stores and the domain judges. The allowance goes through the one ACP mapping
 * (to-mandate.ts).
 */

const MetadataSchema = z
  .record(z.string().min(1).max(100), z.string().max(1_000))
  .refine((metadata) => Object.keys(metadata).length <= 50, { message: 'at most 50 entries' });

export const PaymentMethodCardSchema = z.strictObject({
  type: z.literal('card'),
  card_number_type: z.enum(['fpan', 'network_token']),
  number: z.string().min(1).max(64),
  exp_month: z.string().max(2).optional(),
  exp_year: z.string().max(4).optional(),
  name: z.string().max(256).optional(),
  cvc: z.string().max(4).optional(),
  cryptogram: z.string().max(1_024).optional(),
  eci_value: z.string().max(2).optional(),
  checks_performed: z
    .array(z.enum(['avs', 'cvv', 'ani', 'auth0']))
    .max(4)
    .optional(),
  iin: z.string().max(8).optional(),
  display_card_funding_type: z.enum(['credit', 'debit', 'prepaid']),
  display_wallet_type: z.string().max(64).optional(),
  display_brand: z.string().max(64).optional(),
  display_last4: z
    .string()
    .regex(/^[0-9]{4}$/)
    .optional(),
  metadata: MetadataSchema,
  virtual: z.boolean().optional(),
});
export type PaymentMethodCard = z.infer<typeof PaymentMethodCardSchema>;

export const BillingAddressSchema = z.strictObject({
  name: z.string().max(256),
  line_one: z.string().max(60),
  line_two: z.string().max(60).optional(),
  city: z.string().max(60),
  state: z.string().max(60),
  country: z.string().length(2),
  postal_code: z.string().max(20),
});

export const RiskSignalSchema = z.strictObject({
  type: z.literal('card_testing'),
  score: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  action: z.enum(['blocked', 'manual_review', 'authorized']),
});

/**
 * The allowance as the ACP mapping reads it, closed, with any whole number as its maximum: that
 * an amount of zero or less can pay nothing is the domain's rule (MANDATE_AMOUNT_NOT_POSITIVE),
 * not the parser's.
 */
const DelegatedAllowanceSchema = z.strictObject({
  ...AllowanceSchema.shape,
  max_amount: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
});

export const DelegatePaymentRequestSchema = z.strictObject({
  payment_method: PaymentMethodCardSchema,
  allowance: DelegatedAllowanceSchema,
  billing_address: BillingAddressSchema.optional(),
  risk_signals: z.array(RiskSignalSchema).max(50),
  metadata: MetadataSchema,
});
export type DelegatePaymentRequest = z.infer<typeof DelegatePaymentRequestSchema>;

/** A card field that is there but cannot be a card's: the spec's 422 `invalid_card`. */
export interface CardProblem {
  param: string;
  message: string;
}

const digits = (from: number, to: number) => new RegExp(`^[0-9]{${from},${to}}$`);

/** The Luhn checksum every card number (and network token) carries. */
export function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** What a card's fields must be beyond their JSON types, one row per field. */
const CARD_FIELD_RULES: readonly {
  param: string;
  message: string;
  invalid(card: PaymentMethodCard): boolean;
}[] = [
  {
    param: '$.payment_method.number',
    message: 'Invalid card number provided',
    invalid: ({ number }) => !digits(12, 19).test(number) || !luhnValid(number),
  },
  {
    param: '$.payment_method.exp_month',
    message: 'Invalid card expiration month',
    invalid: ({ exp_month, exp_year }) =>
      (exp_month === undefined && exp_year !== undefined) ||
      (exp_month !== undefined && !/^(0?[1-9]|1[0-2])$/.test(exp_month)),
  },
  {
    param: '$.payment_method.exp_year',
    message: 'Invalid card expiration year',
    invalid: ({ exp_month, exp_year }) =>
      (exp_year === undefined && exp_month !== undefined) ||
      (exp_year !== undefined && !digits(4, 4).test(exp_year)),
  },
  {
    param: '$.payment_method.cvc',
    message: 'Invalid card verification code',
    invalid: ({ cvc }) => cvc !== undefined && !digits(3, 4).test(cvc),
  },
  {
    param: '$.payment_method.iin',
    message: 'The issuer identification number is not the start of the card number',
    invalid: ({ iin, number, card_number_type }) =>
      iin !== undefined &&
      (!digits(6, 8).test(iin) || (card_number_type === 'fpan' && !number.startsWith(iin))),
  },
  {
    param: '$.payment_method.display_last4',
    message: 'display_last4 is not the end of the card number',
    invalid: ({ display_last4, number, card_number_type }) =>
      display_last4 !== undefined && card_number_type === 'fpan' && !number.endsWith(display_last4),
  },
];

/** Every field of the card that cannot be a card's (none: the card is well formed). */
export function cardProblemsOf(card: PaymentMethodCard): CardProblem[] {
  return CARD_FIELD_RULES.filter((rule) => rule.invalid(card)).map(({ param, message }) => ({
    param,
    message,
  }));
}

const RISK_RECOMMENDATION: Readonly<
  Record<z.infer<typeof RiskSignalSchema>['action'], RiskRecommendation>
> = {
  blocked: 'block',
  manual_review: 'review',
  authorized: 'allow',
};

/** What the service stores and the domain judges; never the number, CVC or cryptogram. */
export interface DelegationInputFromAcp {
  tokenId: string;
  mandate: Mandate;
  allowance: Allowance;
  instrument: {
    type: 'card';
    brand?: string;
    last4?: string;
    expMonth?: string;
    expYear?: string;
  };
  instrumentExpiry?: { month: number; year: number };
  risk: RiskAssessment[];
  metadata: Record<string, string>;
}

/**
 * The request (its card checked by `cardProblemsOf`) mapped for token `tokenId`: the allowance
 * through the one ACP mapping, named by the token in evidence; the card reduced to what may be
 * shown about it.
 */
export function delegationInputOf(
  request: DelegatePaymentRequest,
  tokenId: string,
): DelegationInputFromAcp {
  const card = request.payment_method;
  const instrument: DelegationInputFromAcp['instrument'] = { type: 'card' };
  if (card.display_brand !== undefined) instrument.brand = card.display_brand;
  const last4 =
    card.display_last4 ?? (card.card_number_type === 'fpan' ? card.number.slice(-4) : undefined);
  if (last4 !== undefined) instrument.last4 = last4;
  const input: DelegationInputFromAcp = {
    tokenId,
    mandate: mandateOfAllowance(request.allowance, tokenId),
    allowance: request.allowance,
    instrument,
    risk: request.risk_signals.map((signal) => ({
      kind: signal.type,
      recommendation: RISK_RECOMMENDATION[signal.action],
    })),
    metadata: request.metadata,
  };
  if (card.exp_month !== undefined && card.exp_year !== undefined) {
    instrument.expMonth = card.exp_month.padStart(2, '0');
    instrument.expYear = card.exp_year;
    input.instrumentExpiry = { month: Number(card.exp_month), year: Number(card.exp_year) };
  }
  return input;
}
