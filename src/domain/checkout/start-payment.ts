import type { Actor, Mandate } from '../authority.js';
import type { Money } from '../money.js';
import { isAllowed } from '../projections.js';
import { cartTotal, sameAmount } from './cart.js';
import type { CheckoutIds } from './ids.js';
import { cartSnapshotHash, decideLines, repriceLines } from './lines.js';
import type { CheckoutRecord, PaymentRecord } from './record.js';
import {
  type CheckoutFacts,
  type CheckoutStep,
  cartTotalBlocker,
  describeMoney,
  type Guard,
  withGuards,
} from './step.js';
import { refusedTransition } from './verdict.js';

/**
 * delegate_payment: the cart re-priced now, every line and the mandate judged on current facts,
 * and the total held to the one accepted at prepare. Allowed, it opens a payment attempt and
 * starts its effect chain with `reserve`; the checkout completes only when the chain's capture
 * succeeds (settle.ts).
 */

export interface StartPaymentInput {
  /** The payment authority as the domain reads it, mapped from its protocol at the edge. */
  mandate: Mandate;
  actor: Actor;
}

interface PricedNow {
  total: Money;
  prepared: Money | null;
}

/** Guards past the line and authority decisions; any failure blocks. */
const START_PAYMENT_GUARDS: readonly Guard<PricedNow>[] = [
  {
    // The buyer agreed to the prepared total; a price that moved since needs another prepare.
    code: 'AMOUNT_MISMATCH',
    fails: ({ total, prepared }) =>
      prepared !== null && sameAmount(prepared, total)
        ? undefined
        : {
            current: describeMoney(total),
            prepared: prepared === null ? 'not prepared' : describeMoney(prepared),
          },
  },
];

/** The effects a started payment hands the outbox: the stock is reserved first. */
export const START_PAYMENT_EFFECTS = ['reserve'] as const;

export function decideStartPayment(
  checkout: CheckoutRecord,
  input: StartPaymentInput,
  facts: CheckoutFacts,
  ids: Pick<CheckoutIds, 'paymentId' | 'reservationId'>,
  nowMs: number,
): CheckoutStep {
  const productIds = checkout.lines.map((line) => line.productId);
  const lines = repriceLines(checkout.lines, facts);
  const total = cartTotal(lines);
  if (!total.ok) {
    return {
      kind: 'refuse',
      decision: refusedTransition('prepare_checkout', [cartTotalBlocker(total)], nowMs),
    };
  }
  const lineDecision = decideLines(
    'delegate_payment',
    productIds,
    facts,
    checkout.context,
    nowMs,
    facts.options,
    {
      mandate: input.mandate,
      merchantId: facts.merchantId,
      checkout: {
        id: checkout.id,
        version: checkout.version,
        state: checkout.state,
        total: total.total,
        cartSnapshotHash: cartSnapshotHash(lines, total.total),
        skus: lines.map((line) => line.sku),
      },
      actor: input.actor,
      nowMs,
    },
  );
  const decision = withGuards(lineDecision, START_PAYMENT_GUARDS, {
    total: total.total,
    prepared: checkout.preparedTotal,
  });
  if (!isAllowed(decision)) return { kind: 'refuse', decision };
  const attempt = checkout.attempt + 1;
  const payment: PaymentRecord = {
    paymentId: ids.paymentId(checkout.id, attempt),
    attempt,
    state: 'pending',
    amount: total.total,
    capturedAmount: 0,
    refundedAmount: 0,
    refunds: 0,
    allowanceRef: input.mandate.ref,
    reservationId: ids.reservationId(checkout.id, attempt),
  };
  return {
    kind: 'apply',
    decision,
    next: {
      ...checkout,
      state: 'completing',
      lines,
      attempt,
      payments: [...checkout.payments, payment],
      lastFailure: null,
    },
    effects: { kinds: START_PAYMENT_EFFECTS, payment },
    paymentId: payment.paymentId,
  };
}
