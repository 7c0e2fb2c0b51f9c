import { z } from 'zod';
import {
  BlockerSchema,
  type CheckoutRecord,
  CheckoutStateSchema,
  cartTotal,
  DecisionResultSchema,
  describeMoney,
  EvaluationContextSchema,
  EvidenceRefSchema,
  InstantSchema,
  type Money,
  MoneySchema,
  multiplyMoney,
  PaymentStateSchema,
  type TransitionResult,
} from '../../domain/index.js';
import { CHECKOUT_TOOL_NAMES, nextToolsOf } from './checkout-vocabulary.js';

/**
 * What the checkout tools answer: the checkout as the buyer's agent may see it (no tenant, no
 * internal correlation or failure detail) and, for a step, the decision it was applied or
 * refused on. Projection only: totals come from the domain's cart arithmetic, next actions from
 * its transition table.
 */

export const MoneyOutputSchema = MoneySchema.extend({
  display: z.string().describe('The same amount for people, e.g. "129.00 EUR".'),
}).describe(
  'An amount in integer minor units of an ISO 4217 currency: {amount: 12900, currency: "EUR"} ' +
    'is 129.00 EUR.',
);
export type MoneyOutput = z.infer<typeof MoneyOutputSchema>;

const LineOutputSchema = z.object({
  productId: z.string(),
  sku: z.string(),
  title: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: MoneyOutputSchema.describe(
    'Priced from the price fact at the last step that touched the line.',
  ),
  lineTotal: MoneyOutputSchema,
});

const PaymentOutputSchema = z.object({
  paymentId: z.string(),
  state: PaymentStateSchema,
  amount: MoneyOutputSchema,
  capturedAmount: MoneyOutputSchema,
  refundedAmount: MoneyOutputSchema,
});

export const CheckoutViewSchema = z.object({
  checkoutId: z.string().describe('Pass it as checkoutId to the other checkout tools.'),
  state: CheckoutStateSchema.describe(
    'cart_open → ready_for_payment (prepared) → completing (payment running) → completed; or ' +
      'capture_delayed (capture unconfirmed, still retried), canceled, expired.',
  ),
  version: z
    .number()
    .int()
    .positive()
    .describe(
      'Grows with every change; send it back as expectedVersion to act on this version only.',
    ),
  context: EvaluationContextSchema,
  merchantId: z
    .string()
    .describe("The merchant's id, as a payment allowance for this checkout must name it."),
  lines: z.array(LineOutputSchema),
  total: MoneyOutputSchema.nullable().describe(
    'The lines at their current prices; null for an empty cart.',
  ),
  preparedTotal: MoneyOutputSchema.nullable().describe(
    'The total accepted by prepare_checkout: the amount a payment allowance must cover. Null until prepared.',
  ),
  orderId: z.string().nullable().describe('Set once the checkout completed.'),
  payments: z.array(PaymentOutputSchema),
  problem: BlockerSchema.nullable().describe(
    'Why the last payment attempt stopped short, when the merchant says; null otherwise.',
  ),
  nextActions: z
    .array(z.enum(Object.values(CHECKOUT_TOOL_NAMES)))
    .describe("The tools this checkout's state takes next. Each call is still decided when made."),
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
});
export type CheckoutView = z.infer<typeof CheckoutViewSchema>;

export const StepDecisionSchema = z.object({
  action: z.string(),
  result: DecisionResultSchema.describe(
    'allowed, blocked, requires_review or requires_revalidation; only allowed went ahead.',
  ),
  blockers: z
    .array(BlockerSchema)
    .describe('Why the step was refused, each with the next action that would lift it.'),
  evidenceRefs: z.array(EvidenceRefSchema),
  evaluatedAt: InstantSchema,
});

/** What every state-changing checkout tool answers. */
export const StepOutputSchema = z.object({
  outcome: z
    .enum(['applied', 'refused'])
    .describe('applied: the checkout changed. refused: nothing changed; decision says why.'),
  decision: StepDecisionSchema,
  checkout: CheckoutViewSchema.nullable().describe(
    'The checkout after the step (as it stays, when refused).',
  ),
  replayed: z
    .boolean()
    .describe(
      'true when this is the kept answer of an earlier identical call: nothing was done again.',
    ),
  ap2Receipt: z
    .string()
    .optional()
    .describe(
      'complete_checkout with ap2 mandates: the merchant-signed AP2 checkout receipt (a JWT: status Success with order_id, or Error with error and error_description; reference = hash of the closing payment mandate), verifiable with /.well-known/jwks.json.',
    ),
});
export type StepOutput = z.infer<typeof StepOutputSchema>;

export const GetCheckoutOutputSchema = z.object({ checkout: CheckoutViewSchema });

function moneyOutput(money: Money): MoneyOutput {
  return { amount: money.amount, currency: money.currency, display: describeMoney(money) };
}

export function checkoutView(checkout: CheckoutRecord, merchantId: string): CheckoutView {
  const total = cartTotal(checkout.lines);
  return {
    checkoutId: checkout.id,
    state: checkout.state,
    version: checkout.version,
    context: checkout.context,
    merchantId,
    lines: checkout.lines.map((line) => ({
      productId: line.productId,
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      unitPrice: moneyOutput(line.unitPrice),
      lineTotal: moneyOutput(multiplyMoney(line.unitPrice, line.quantity)),
    })),
    total: total.ok ? moneyOutput(total.total) : null,
    preparedTotal: checkout.preparedTotal === null ? null : moneyOutput(checkout.preparedTotal),
    orderId: checkout.orderId,
    payments: checkout.payments.map((payment) => {
      const inCurrency = (amount: number) =>
        moneyOutput({ amount, currency: payment.amount.currency });
      return {
        paymentId: payment.paymentId,
        state: payment.state,
        amount: moneyOutput(payment.amount),
        capturedAmount: inCurrency(payment.capturedAmount),
        refundedAmount: inCurrency(payment.refundedAmount),
      };
    }),
    problem: checkout.lastFailure?.blocker ?? null,
    nextActions: nextToolsOf(checkout.state),
    createdAt: checkout.createdAt,
    updatedAt: checkout.updatedAt,
  };
}

export function stepOutput(result: TransitionResult, merchantId: string): StepOutput {
  const { action, result: decided, blockers, evidenceRefs, evaluatedAt } = result.decision;
  return {
    outcome: result.outcome,
    decision: { action, result: decided, blockers, evidenceRefs, evaluatedAt },
    checkout: result.checkout === null ? null : checkoutView(result.checkout, merchantId),
    replayed: result.replayed,
  };
}

/**
 * The text of a refusal that is an error to the caller (a race, a step the checkout's state
 * does not take): each blocker's code and words, and what the checkout takes now, in tool names.
 */
export function refusalText(
  tool: string,
  result: Pick<TransitionResult, 'decision' | 'checkout'>,
): string {
  const { decision, checkout } = result;
  const reasons = decision.blockers.map(
    (blocker) => `${blocker.code}: ${blocker.message} ${blocker.nextAction}`,
  );
  const now =
    checkout === null
      ? ''
      : ` Checkout ${checkout.id} is ${checkout.state} at version ${checkout.version}; ` +
        `tools it takes now: ${nextToolsOf(checkout.state).join(', ') || 'none'}.`;
  return `${tool} refused. ${reasons.join(' ')}${now}`;
}
