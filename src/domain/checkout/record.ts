import { z } from 'zod';
import { DecisionResultSchema } from '../actions.js';
import { EvaluationContextSchema } from '../context.js';
import { BlockerSchema, EvidenceRefSchema } from '../decision.js';
import { MoneySchema } from '../money.js';
import { PaymentStateSchema } from '../payment/transitions.js';
import { InstantSchema } from '../time.js';
import { CheckoutStateSchema } from './transitions.js';

/** A cart line, priced from the product's price fact at the last transition that touched it. */
export const CheckoutLineSchema = z.object({
  productId: z.string().min(1),
  sku: z.string().min(1),
  title: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: MoneySchema,
});
export type CheckoutLine = z.infer<typeof CheckoutLineSchema>;

/** One payment attempt of a checkout, as the merchant side knows it. */
export const PaymentRecordSchema = z.object({
  paymentId: z.string().min(1),
  attempt: z.number().int().positive(),
  state: PaymentStateSchema,
  amount: MoneySchema,
  capturedAmount: z.number().int().nonnegative(),
  refundedAmount: z.number().int().nonnegative(),
  /** Refund requests accepted so far; numbers the refund effects. */
  refunds: z.number().int().nonnegative(),
  allowanceRef: z.string().min(1),
  reservationId: z.string().min(1),
});
export type PaymentRecord = z.infer<typeof PaymentRecordSchema>;

/** The persisted checkout (cart and checkout session are one record moving through states). */
export const CheckoutRecordSchema = z.object({
  id: z.string().min(1),
  tenant: z.string().min(1),
  state: CheckoutStateSchema,
  version: z.number().int().positive(),
  context: EvaluationContextSchema,
  lines: z.array(CheckoutLineSchema),
  /** The total accepted at prepare; starting the payment must re-price to exactly this. */
  preparedTotal: MoneySchema.nullable(),
  cartSnapshotHash: z.string().nullable(),
  /** Payment attempts started (startPayment calls the domain allowed). */
  attempt: z.number().int().nonnegative(),
  payments: z.array(PaymentRecordSchema),
  orderId: z.string().nullable(),
  correlationId: z.string().min(1),
  /**
   * Why the last payment attempt stopped short; `blocker` tells the buyer's agent what it means
   * when an effect ran out of attempts (the effect chain's `blocker`).
   */
  lastFailure: z
    .object({ effectId: z.string(), reason: z.string(), blocker: BlockerSchema.optional() })
    .nullable(),
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
});
export type CheckoutRecord = z.infer<typeof CheckoutRecordSchema>;

/** The decision a transition was made on, as the caller sees it. */
export const TransitionDecisionSchema = z.object({
  action: z.string(),
  result: DecisionResultSchema,
  blockers: z.array(BlockerSchema),
  evidenceRefs: z.array(EvidenceRefSchema),
  evaluatedAt: InstantSchema,
});
export type TransitionDecision = z.infer<typeof TransitionDecisionSchema>;

/**
 * What every checkout operation answers, and what an Idempotency-Key keeps: a replay answers
 * exactly this again (the HTTP API sends it as the body, with `Idempotent-Replayed: true`).
 */
export const TransitionAnswerSchema = z.object({
  outcome: z.enum(['applied', 'refused']),
  checkout: CheckoutRecordSchema.nullable(),
  decision: TransitionDecisionSchema,
});
export type TransitionAnswer = z.infer<typeof TransitionAnswerSchema>;

export const TransitionResultSchema = TransitionAnswerSchema.extend({
  /** True when this answer is the stored one of an earlier request with the same key. */
  replayed: z.boolean(),
});
export type TransitionResult = z.infer<typeof TransitionResultSchema>;

/**
 * The total a payment authority must cover now, or undefined while the checkout is not ready
 * for payment: a mandate can only be issued for (and bound to) a prepared checkout.
 */
export function payableTotal(
  checkout: CheckoutRecord,
): CheckoutRecord['preparedTotal'] | undefined {
  return checkout.state === 'ready_for_payment' && checkout.preparedTotal !== null
    ? checkout.preparedTotal
    : undefined;
}

export function currentPayment(checkout: CheckoutRecord): PaymentRecord | undefined {
  return checkout.payments.at(-1);
}

/** True when the transition was applied (a refusal is an answer too, but changed nothing). */
export function wasApplied(answer: Pick<TransitionAnswer, 'outcome'>): boolean {
  return answer.outcome === 'applied';
}
