import type { EvaluationContext } from '../context.js';
import { isAllowed } from '../projections.js';
import { toInstant } from '../time.js';
import { cartTotal } from './cart.js';
import type { CheckoutIds } from './ids.js';
import { cartSnapshotHash, decideLines, repriceLines } from './lines.js';
import type { CheckoutRecord } from './record.js';
import {
  type CheckoutFacts,
  type CheckoutStep,
  cartTotalBlocker,
  failedGuards,
  type Guard,
  reopened,
} from './step.js';
import { allowedTransition, refusedTransition } from './verdict.js';

/**
 * The cart's transitions: open, add and remove a line, prepare, cancel. Each is decided on the
 * product facts current at `now`; none has effects (nothing leaves before payment starts).
 */

export function decideOpen(
  input: { tenant: string; context: EvaluationContext; correlationId?: string | undefined },
  ids: Pick<CheckoutIds, 'checkoutId' | 'correlationId'>,
  nowMs: number,
): CheckoutStep {
  return {
    kind: 'apply',
    decision: allowedTransition('create', nowMs),
    next: {
      id: ids.checkoutId(),
      tenant: input.tenant,
      state: 'cart_open',
      version: 1,
      context: input.context,
      lines: [],
      preparedTotal: null,
      cartSnapshotHash: null,
      attempt: 0,
      payments: [],
      orderId: null,
      correlationId: input.correlationId ?? ids.correlationId(),
      lastFailure: null,
      createdAt: toInstant(nowMs),
      updatedAt: toInstant(nowMs),
    },
  };
}

/** Adds `quantity` of a product the domain allows into the cart, at its current price. */
export function decideAddItem(
  checkout: CheckoutRecord,
  input: { productId: string; quantity: number },
  facts: CheckoutFacts,
  nowMs: number,
): CheckoutStep {
  const decision = decideLines(
    'add_to_cart',
    [input.productId],
    facts,
    checkout.context,
    nowMs,
    facts.options,
  );
  const product = facts.products.get(input.productId);
  // A product without a price cannot be a line even where nothing else blocks it.
  if (!isAllowed(decision) || product?.price === undefined) return { kind: 'refuse', decision };
  const existing = checkout.lines.find((line) => line.productId === input.productId);
  const line = {
    productId: product.id,
    sku: product.sku ?? product.id,
    title: product.title,
    quantity: (existing?.quantity ?? 0) + input.quantity,
    unitPrice: { amount: product.price.amount, currency: product.price.currency },
  };
  const lines = existing
    ? checkout.lines.map((l) => (l.productId === line.productId ? line : l))
    : [...checkout.lines, line];
  const total = cartTotal(lines);
  if (!total.ok) {
    return {
      kind: 'refuse',
      decision: refusedTransition('add_to_cart', [cartTotalBlocker(total)], nowMs),
    };
  }
  return { kind: 'apply', decision, next: reopened(checkout, lines) };
}

export function decideRemoveItem(
  checkout: CheckoutRecord,
  input: { productId: string },
  nowMs: number,
): CheckoutStep {
  const lines = checkout.lines.filter((line) => line.productId !== input.productId);
  return {
    kind: 'apply',
    decision: allowedTransition('remove_item', nowMs),
    next: reopened(checkout, lines),
  };
}

/** Checked before any product is: there is nothing to decide about an empty cart. */
const PREPARE_GUARDS: readonly Guard<CheckoutRecord>[] = [
  { code: 'CART_EMPTY', fails: (checkout) => (checkout.lines.length === 0 ? {} : undefined) },
];

/** Re-prices every line from current facts and fixes the total the payment must match. */
export function decidePrepare(
  checkout: CheckoutRecord,
  facts: CheckoutFacts,
  nowMs: number,
): CheckoutStep {
  const empty = failedGuards(PREPARE_GUARDS, checkout);
  if (empty.length > 0) {
    return { kind: 'refuse', decision: refusedTransition('prepare_checkout', empty, nowMs) };
  }
  const ids = checkout.lines.map((line) => line.productId);
  const decision = decideLines(
    'prepare_checkout',
    ids,
    facts,
    checkout.context,
    nowMs,
    facts.options,
  );
  if (!isAllowed(decision)) return { kind: 'refuse', decision };
  const lines = repriceLines(checkout.lines, facts);
  const total = cartTotal(lines);
  if (!total.ok) {
    return {
      kind: 'refuse',
      decision: refusedTransition('prepare_checkout', [cartTotalBlocker(total)], nowMs),
    };
  }
  return {
    kind: 'apply',
    decision,
    next: {
      ...checkout,
      state: 'ready_for_payment',
      lines,
      preparedTotal: total.total,
      cartSnapshotHash: cartSnapshotHash(lines, total.total),
    },
  };
}

/** Cancels; effects still in flight undo themselves when they land (the chain's `closed` rows). */
export function decideCancel(checkout: CheckoutRecord, nowMs: number): CheckoutStep {
  return {
    kind: 'apply',
    decision: allowedTransition('cancel', nowMs),
    next: { ...checkout, state: 'canceled' },
  };
}
