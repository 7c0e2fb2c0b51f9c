import { blocker } from '../blockers.js';
import { applyPaymentEvents } from '../payment/transitions.js';
import { toInstant } from '../time.js';
import {
  type ChainStep,
  chainStep,
  EFFECT_CHAIN,
  type EffectKind,
  type EffectOutcome,
  needsOrder,
} from './effect-chain.js';
import type { CheckoutIds } from './ids.js';
import type { CheckoutRecord, PaymentRecord } from './record.js';
import type { PlannedEffects } from './step.js';
import { AWAITING_PAYMENT_STATES, transition } from './transitions.js';

/**
 * What an effect's outcome does to its checkout, following the EFFECT_CHAIN table: the checkout's
 * and payment's next state, the order id a completed checkout gets, why a payment stopped short,
 * and the effects that follow. The service (services/checkout/effect-settlement.ts) loads the
 * checkout and commits this with the effect's own record in one atomic step.
 */

/** An outcome as the provider answered it; `closed` is decided here, never reported. */
export type ReportedOutcome = Exclude<EffectOutcome, 'closed'>;

/** How the outbox records an outcome: an exhausted effect is dead-lettered or retried later. */
export type EffectRecord = 'delivered' | 'dead' | 'exhausted' | 'retry';

interface OutcomeRow {
  /**
   * When the checkout no longer awaits the effect's attempt (it was canceled or moved on), the
   * outcome is applied as `closed` — undo what the effect did — instead of advancing the chain.
   * Only a success can need undoing; a refusal or an exhaustion did nothing to undo.
   */
  closesWhenNotAwaited: boolean;
  /** The payment attempt stopped short: the checkout's lastFailure says why. */
  stopsAttempt: boolean;
  record: (step: ChainStep) => EffectRecord;
}

const OUTCOMES: Readonly<Record<ReportedOutcome, OutcomeRow>> = {
  succeeded: { closesWhenNotAwaited: true, stopsAttempt: false, record: () => 'delivered' },
  rejected: { closesWhenNotAwaited: false, stopsAttempt: true, record: () => 'dead' },
  exhausted: {
    closesWhenNotAwaited: false,
    stopsAttempt: true,
    record: (step) => (step.retryLater ? 'retry' : 'exhausted'),
  },
};

export function effectRecordOf(kind: EffectKind, outcome: ReportedOutcome): EffectRecord {
  return OUTCOMES[outcome].record(chainStep(kind, outcome));
}

/**
 * Whether settling the outcome rewrites the checkout: an outcome of the payment chain itself
 * always does (its state or its lastFailure); one of an effect after it only when its step has
 * work.
 */
export function touchesCheckout(kind: EffectKind, outcome: ReportedOutcome): boolean {
  const step = chainStep(kind, outcome);
  const hasWork =
    step.checkout !== undefined || (step.payment?.length ?? 0) > 0 || step.next.length > 0;
  return hasWork || EFFECT_CHAIN[kind].advancesCheckout;
}

export interface SettledEffect {
  id: string;
  kind: EffectKind;
  attempt?: number | undefined;
  paymentId?: string | undefined;
}

export interface Settlement {
  next: CheckoutRecord;
  /** The outcome the chain applied (`closed` when the checkout no longer awaited the attempt). */
  applied: EffectOutcome;
  /** The follow-up effects, for the effect's payment; absent when none follow. */
  effects?: PlannedEffects;
  /** Steps the tables refused, for the audit event. */
  notes: string[];
}

export function decideSettlement(
  checkout: CheckoutRecord,
  effect: SettledEffect,
  outcome: ReportedOutcome,
  reason: string | undefined,
  ids: Pick<CheckoutIds, 'orderId'>,
  nowMs: number,
): Settlement {
  const row = EFFECT_CHAIN[effect.kind];
  const active =
    AWAITING_PAYMENT_STATES.includes(checkout.state) && checkout.attempt === effect.attempt;
  const applied: EffectOutcome =
    OUTCOMES[outcome].closesWhenNotAwaited && row.advancesCheckout && !active ? 'closed' : outcome;
  const step = chainStep(effect.kind, applied);
  const notes: string[] = [];
  const next: CheckoutRecord = {
    ...checkout,
    version: checkout.version + 1,
    updatedAt: toInstant(nowMs),
  };

  if (step.checkout !== undefined && active) {
    const moved = transition(checkout.state, step.checkout);
    if (moved.ok) {
      next.state = moved.to;
      // The answer that moves the checkout on supersedes an earlier failure of the attempt.
      if (applied === 'succeeded') next.lastFailure = null;
    } else notes.push(`checkout ${step.checkout} refused from ${checkout.state}`);
  }
  let payment = checkout.payments.find((p) => p.paymentId === effect.paymentId);
  if (payment !== undefined && step.payment !== undefined && step.payment.length > 0) {
    const moved = applyPaymentEvents(payment, step.payment);
    if (moved.ok) {
      const refunded = moved.payment.refundedAmount > payment.refundedAmount;
      payment = { ...payment, ...moved.payment } as PaymentRecord;
      // A refund the chain decides (capture landed on a canceled checkout) is numbered too.
      const current = payment;
      next.payments = checkout.payments.map((p) =>
        p.paymentId === current.paymentId
          ? { ...current, refunds: current.refunds + (refunded ? 1 : 0) }
          : p,
      );
    } else {
      notes.push(`payment ${step.payment.join(', ')} refused: ${moved.code}`);
    }
  }
  // The step that completes the checkout makes it an order (the chain's `completesOrder`).
  if (step.completesOrder === true && next.state === 'completed') {
    next.orderId = ids.orderId(checkout.id);
  }
  // lastFailure tells the buyer's agent why its payment stopped short, so only the payment
  // chain's own effects write it: a compensation or notification that fails afterwards (a void,
  // a receipt) is the operator's, in the dead letter, and must not hide the buyer's reason.
  if (OUTCOMES[outcome].stopsAttempt && row.advancesCheckout) {
    next.lastFailure = { effectId: effect.id, reason: reason ?? outcome };
    if (step.blocker !== undefined) next.lastFailure.blocker = blocker(step.blocker);
  }
  const settlement: Settlement = { next, applied, notes };
  const kinds = step.next.filter((kind) => !needsOrder(kind) || next.orderId !== null);
  if (payment !== undefined && kinds.length > 0) {
    settlement.effects = { kinds, payment };
  }
  return settlement;
}
