import { moreSevere } from '../actions.js';
import { type Blocker, type BlockerCode, type BlockerParams, blocker } from '../blockers.js';
import type { EvaluationOptions } from '../eligibility/evaluate.js';
import { formatMinorUnits, type Money } from '../money.js';
import type { CartTotal } from './cart.js';
import type { EffectKind } from './effect-chain.js';
import type { LineFacts } from './lines.js';
import type { CheckoutRecord, PaymentRecord, TransitionDecision } from './record.js';

/**
 * What a checkout transition decides, the way xstate's `transition()` returns the next snapshot
 * with its actions unrun: a refusal with its decision, or the next checkout with the decision it
 * was allowed on and the effects the outbox must carry. The service commits it; nothing here
 * does I/O.
 */

/** The effects a transition starts: which kinds, for which payment (the outbox builds requests). */
export interface PlannedEffects {
  kinds: readonly EffectKind[];
  payment: PaymentRecord;
  /** The refund being requested, for `refund`. */
  refundAmount?: number;
}

export type CheckoutStep =
  | { kind: 'refuse'; decision: TransitionDecision }
  | {
      kind: 'apply';
      decision: TransitionDecision;
      next: CheckoutRecord;
      effects?: PlannedEffects;
      /** A payment the transition opened, indexed for reconciliation. */
      paymentId?: string;
    };

/** The current facts a transition is decided on, loaded by the service just before. */
export interface CheckoutFacts extends LineFacts {
  options: EvaluationOptions;
  /** This merchant's id as mandates must name it. */
  merchantId: string;
}

/**
 * A guard of a transition as a row: it blocks with `code` when `fails` returns the blocker's
 * params, and passes when it returns undefined.
 */
export interface Guard<F> {
  code: BlockerCode;
  fails: (facts: F) => BlockerParams | undefined;
}

/** The blockers of every guard that fails, in table order. */
export function failedGuards<F>(guards: readonly Guard<F>[], facts: F): Blocker[] {
  return guards.flatMap((guard) => {
    const params = guard.fails(facts);
    return params === undefined ? [] : [blocker(guard.code, params)];
  });
}

/** A decision with the blockers of failed guards added; any failed guard blocks. */
export function withGuards<F>(
  decision: TransitionDecision,
  guards: readonly Guard<F>[],
  facts: F,
): TransitionDecision {
  const failed = failedGuards(guards, facts);
  if (failed.length === 0) return decision;
  return {
    ...decision,
    blockers: [...decision.blockers, ...failed],
    result: moreSevere(decision.result, 'blocked'),
  };
}

/** Each way a cart total fails, as the blocker a buyer's agent sees. */
export const CART_TOTAL_BLOCKERS: {
  [C in Extract<CartTotal, { ok: false }>['code']]: (
    total: Extract<CartTotal, { code: C }>,
  ) => Blocker;
} = {
  CART_EMPTY: () => blocker('CART_EMPTY'),
  CART_CURRENCY_MIXED: ({ productId, currency, cartCurrency }) =>
    blocker('CART_CURRENCY_MIXED', { productId, currency, cartCurrency }),
};

export function cartTotalBlocker(total: Extract<CartTotal, { ok: false }>): Blocker {
  const build = CART_TOTAL_BLOCKERS[total.code] as (t: typeof total) => Blocker;
  return build(total);
}

export function describeMoney(money: Money): string {
  return `${formatMinorUnits(money)} ${money.currency}`;
}

/** A changed cart is open again: whatever was prepared no longer holds. */
export function reopened(checkout: CheckoutRecord, lines: CheckoutRecord['lines']): CheckoutRecord {
  return { ...checkout, state: 'cart_open', lines, preparedTotal: null, cartSnapshotHash: null };
}
