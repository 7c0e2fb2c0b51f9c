import { type Blocker, blocker } from '../blockers.js';
import { applyPaymentEvent, type PaymentOutcome } from '../payment/transitions.js';
import type { EffectKind } from './effect-chain.js';
import { type CheckoutRecord, currentPayment, type PaymentRecord } from './record.js';
import { type CheckoutStep, describeMoney } from './step.js';
import { allowedTransition, refusedTransition } from './verdict.js';

/**
 * capture, void or refund of a checkout's current payment, as the operator asks for them. The
 * payment state machine (domain/payment/transitions.ts) says whether it may; these tables say
 * what a refusal tells the caller and which effects an accepted action starts.
 */

export const PAYMENT_ACTIONS = ['capture', 'void', 'refund'] as const;
export type PaymentAction = (typeof PAYMENT_ACTIONS)[number];

interface PaymentActionRow {
  /** The effects the outbox carries; a void also gives the reserved stock back. */
  effects: readonly EffectKind[];
  /** Refund requests are numbered: each accepted one is its own effect. */
  countsRefund: 0 | 1;
}

export const PAYMENT_ACTION_ROWS = {
  capture: { effects: ['capture'], countsRefund: 0 },
  void: { effects: ['void', 'release'], countsRefund: 0 },
  refund: { effects: ['refund'], countsRefund: 1 },
} as const satisfies Record<PaymentAction, PaymentActionRow>;

type Refused = Extract<PaymentOutcome, { ok: false }>;

/** Each refusal of the payment table as the blocker the caller sees. */
const PAYMENT_REFUSALS: {
  [C in Refused['code']]: (
    refused: Extract<Refused, { code: C }>,
    payment: PaymentRecord,
  ) => Blocker;
} = {
  PAYMENT_TRANSITION_REFUSED: ({ from, event, allowed }) =>
    blocker('PAYMENT_TRANSITION_REFUSED', { from, event, allowed: allowed.join(', ') || 'none' }),
  REFUND_EXCEEDS_CAPTURED: ({ requested, refundable }, payment) =>
    blocker('REFUND_EXCEEDS_CAPTURED', {
      requested: describeMoney({ amount: requested, currency: payment.amount.currency }),
      refundable: describeMoney({ amount: refundable, currency: payment.amount.currency }),
    }),
};

function refusalBlocker(refused: Refused, payment: PaymentRecord): Blocker {
  const build = PAYMENT_REFUSALS[refused.code] as (r: Refused, p: PaymentRecord) => Blocker;
  return build(refused, payment);
}

/** A checkout that never started a payment has none to act on. */
const noPayment = (event: PaymentAction) =>
  blocker('PAYMENT_TRANSITION_REFUSED', { from: 'none', event, allowed: 'none' });

export function decidePaymentAction(
  checkout: CheckoutRecord,
  input: { action: PaymentAction; amount?: number | undefined },
  nowMs: number,
): CheckoutStep {
  const action = `payment_${input.action}`;
  const payment = currentPayment(checkout);
  if (payment === undefined) {
    return {
      kind: 'refuse',
      decision: refusedTransition(action, [noPayment(input.action)], nowMs),
    };
  }
  const outcome = applyPaymentEvent(payment, input.action, input.amount);
  if (!outcome.ok) {
    return {
      kind: 'refuse',
      decision: refusedTransition(action, [refusalBlocker(outcome, payment)], nowMs),
    };
  }
  const row: PaymentActionRow = PAYMENT_ACTION_ROWS[input.action];
  const refundAmount = outcome.payment.refundedAmount - payment.refundedAmount;
  const updated: PaymentRecord = {
    ...payment,
    ...outcome.payment,
    refunds: payment.refunds + row.countsRefund,
  };
  return {
    kind: 'apply',
    decision: allowedTransition(action, nowMs),
    next: {
      ...checkout,
      payments: checkout.payments.map((p) => (p.paymentId === payment.paymentId ? updated : p)),
    },
    effects: {
      kinds: row.effects,
      // The refund effect is numbered by the refunds accepted before this one.
      payment: { ...updated, refunds: payment.refunds },
      ...(row.countsRefund === 1 ? { refundAmount } : {}),
    },
  };
}
