import { z } from 'zod';
import type { Money } from '../money.js';

/**
 * A payment as a state machine, kept by the merchant side. States name what WE know: `pending`
 * until the provider confirms an authorization, `capturing` while a capture is on its way.
 * Requests (capture, void, refund) and provider outcomes (authorize_succeeded, …) are both events;
 * anything not in the table is refused, which is how "capture only after authorize", "void only
 * before capture" and "no refund after void" hold.
 */
export const PAYMENT_STATES = [
  'pending',
  'authorized',
  'capturing',
  'captured',
  'refunded',
  'voiding',
  'voided',
  'failed',
] as const;
export const PaymentStateSchema = z.enum(PAYMENT_STATES);
export type PaymentState = z.infer<typeof PaymentStateSchema>;

export const PAYMENT_EVENTS = [
  'authorize_succeeded',
  'authorize_failed',
  /** Nothing was authorized and nothing will be: the attempt ended before authorize. */
  'abandon',
  'capture',
  'capture_succeeded',
  'capture_failed',
  'void',
  'void_succeeded',
  'refund',
] as const;
export const PaymentEventSchema = z.enum(PAYMENT_EVENTS);
export type PaymentEvent = z.infer<typeof PaymentEventSchema>;

type PaymentTable = {
  readonly [S in PaymentState]: Partial<Readonly<Record<PaymentEvent, PaymentState>>>;
};

export const PAYMENT_TRANSITIONS = {
  pending: {
    authorize_succeeded: 'authorized',
    authorize_failed: 'failed',
    abandon: 'failed',
    // The authorize outcome is unknown (retries ran out): void whatever may exist.
    void: 'voiding',
  },
  authorized: { capture: 'capturing', void: 'voiding' },
  capturing: { capture_succeeded: 'captured', capture_failed: 'authorized' },
  // A partial refund stays captured; the refund that reaches the captured amount ends in refunded.
  captured: { refund: 'captured' },
  voiding: { void_succeeded: 'voided' },
  refunded: {},
  voided: {},
  failed: {},
} as const satisfies PaymentTable;

/** The money side of a payment, in the payment's currency, integer minor units. */
export interface PaymentSnapshot {
  state: PaymentState;
  amount: Money;
  capturedAmount: number;
  refundedAmount: number;
}

export type PaymentOutcome =
  | { ok: true; payment: PaymentSnapshot }
  | {
      ok: false;
      code: 'PAYMENT_TRANSITION_REFUSED';
      from: PaymentState;
      event: PaymentEvent;
      allowed: PaymentEvent[];
    }
  | { ok: false; code: 'REFUND_EXCEEDS_CAPTURED'; requested: number; refundable: number };

export function allowedPaymentEvents(state: PaymentState): PaymentEvent[] {
  return Object.keys(PAYMENT_TRANSITIONS[state]) as PaymentEvent[];
}

/**
 * Applies one event. `amount` is the refund amount (refund only); capture always takes the
 * authorized amount, because the cart was re-priced and checked against the mandate before
 * authorize.
 */
export function applyPaymentEvent(
  payment: PaymentSnapshot,
  event: PaymentEvent,
  amount?: number,
): PaymentOutcome {
  const row: Partial<Record<PaymentEvent, PaymentState>> = PAYMENT_TRANSITIONS[payment.state];
  const to = row[event];
  if (to === undefined) {
    return {
      ok: false,
      code: 'PAYMENT_TRANSITION_REFUSED',
      from: payment.state,
      event,
      allowed: allowedPaymentEvents(payment.state),
    };
  }
  if (event === 'capture_succeeded') {
    return { ok: true, payment: { ...payment, state: to, capturedAmount: payment.amount.amount } };
  }
  if (event === 'refund') {
    const refundable = payment.capturedAmount - payment.refundedAmount;
    const requested = amount ?? refundable;
    if (!Number.isInteger(requested) || requested <= 0 || requested > refundable) {
      return { ok: false, code: 'REFUND_EXCEEDS_CAPTURED', requested, refundable };
    }
    const refundedAmount = payment.refundedAmount + requested;
    const state = refundedAmount === payment.capturedAmount ? 'refunded' : to;
    return { ok: true, payment: { ...payment, state, refundedAmount } };
  }
  return { ok: true, payment: { ...payment, state: to } };
}

/** Applies events in order; stops at the first refusal. */
export function applyPaymentEvents(
  payment: PaymentSnapshot,
  events: readonly PaymentEvent[],
  refundAmount?: number,
): PaymentOutcome {
  let current: PaymentOutcome = { ok: true, payment };
  for (const event of events) {
    if (!current.ok) return current;
    current = applyPaymentEvent(
      current.payment,
      event,
      event === 'refund' ? refundAmount : undefined,
    );
  }
  return current;
}
