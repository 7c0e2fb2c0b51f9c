import { z } from 'zod';
import type { BlockerCode } from '../blockers.js';
import type { PaymentEvent } from '../payment/transitions.js';
import type { CheckoutEvent } from './transitions.js';

/**
 * The provider effects of a checkout and what each outcome causes, as one table (the effects
 * half of `decide → {decision, effects}`). Services carry the effects out; the domain only says
 * which follow.
 *
 *   complete ─▶ reserve ─▶ authorize ─▶ capture ─▶ receipt + webhook + order_created
 *                  │            │            │  ╲
 *                  ▼            ▼            ▼   ╲ exhausted: capture_delayed, retried later
 *           payment_failed   release     void + release
 *
 * Outcomes:
 * - `succeeded`: the provider answered 2xx.
 * - `rejected`: the provider answered a permanent no (4xx): nothing happened there.
 * - `exhausted`: retries ran out on timeouts/5xx: the provider MAY have applied it. No exhausted
 *   effect leaves its checkout waiting in `completing`: a reservation or authorization reopens the
 *   checkout (released, voided) with a blocker saying why; a capture moves it to the visible
 *   `capture_delayed` with CAPTURE_UNCONFIRMED and keeps being sent, under the same
 *   Idempotency-Key, on the long schedule (`retryLater`) until the provider answers — then the
 *   chain goes on from that answer (completed with receipt + webhook, or reopened). Effects after
 *   the checkout's own outcome (receipt, webhook, release, void, refund) are dead-lettered with
 *   their history: the checkout's state is already final.
 * - `closed`: it succeeded, but the checkout is no longer waiting on this attempt (it was
 *   canceled meanwhile): undo what the effect did instead of advancing.
 *
 * A checkout is final for its buyer when it is completed, canceled or expired, or reopened
 * (`ready_for_payment` with `lastFailure`) — `capture_delayed` is not: it waits on the provider.
 *
 * Order events tell the agent platform about the order: `order_created` when the capture
 * completes the checkout, `order_updated` when a refund of it went through. They follow only a
 * checkout that is an order (`needsOrder`): a capture refunded because it landed on a canceled
 * checkout updates nothing.
 */
export const EFFECT_KINDS = [
  'reserve',
  'authorize',
  'capture',
  'receipt',
  'webhook',
  'release',
  'void',
  'refund',
  'order_created',
  'order_updated',
  'decision_event',
] as const;
export const EffectKindSchema = z.enum(EFFECT_KINDS);
export type EffectKind = z.infer<typeof EffectKindSchema>;

export const PROVIDERS = ['reservation', 'payment', 'receipt', 'webhook'] as const;
export const ProviderSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof ProviderSchema>;

export const EFFECT_OUTCOMES = ['succeeded', 'rejected', 'exhausted', 'closed'] as const;
export type EffectOutcome = (typeof EFFECT_OUTCOMES)[number];

export interface ChainStep {
  /** Checkout event to apply (only while the checkout is completing this attempt). */
  checkout?: CheckoutEvent;
  /** Payment events to apply, in order. */
  payment?: readonly PaymentEvent[];
  /** Effects that follow, written atomically with the outcome. */
  next: readonly EffectKind[];
  /** Why the checkout stopped short, for the buyer's agent (`lastFailure.blocker`). */
  blocker?: BlockerCode;
  /**
   * The effect is not settled: it stays pending and is sent again after the long delay
   * (OUTBOX_EXHAUSTED_RETRY_MS) with fresh attempts and the same Idempotency-Key.
   */
  retryLater?: true;
  /** The checkout, completed by this step, becomes an order and gets its order id. */
  completesOrder?: true;
}

export interface ChainRow {
  provider: Provider;
  /** Part of the payment chain: its success advances the checkout, so `closed` applies. */
  advancesCheckout: boolean;
  succeeded: ChainStep;
  rejected: ChainStep;
  exhausted: ChainStep;
  closed: ChainStep;
  /** Follows only a checkout that became an order (has its order id). */
  needsOrder?: true;
}

const nothing: ChainStep = { next: [] };
const settle = (row: Omit<ChainRow, 'advancesCheckout' | 'closed'>): ChainRow => ({
  ...row,
  advancesCheckout: false,
  closed: row.succeeded,
});

export const EFFECT_CHAIN = {
  reserve: {
    provider: 'reservation',
    advancesCheckout: true,
    succeeded: { next: ['authorize'] },
    // The reservation service said no (out of stock): no money moved, the buyer may retry.
    rejected: { checkout: 'payment_failed', payment: ['abandon'], next: [] },
    // Stock may be held after all; releasing an unknown reservation is a no-op.
    exhausted: {
      checkout: 'payment_failed',
      payment: ['abandon'],
      next: ['release'],
      blocker: 'RESERVATION_UNCONFIRMED',
    },
    closed: { payment: ['abandon'], next: ['release'] },
  },
  authorize: {
    provider: 'payment',
    advancesCheckout: true,
    succeeded: { payment: ['authorize_succeeded', 'capture'], next: ['capture'] },
    rejected: { checkout: 'payment_failed', payment: ['authorize_failed'], next: ['release'] },
    // An authorization may exist without our knowing: void it, release the stock.
    exhausted: {
      checkout: 'payment_failed',
      payment: ['void'],
      next: ['void', 'release'],
      blocker: 'AUTHORIZATION_UNCONFIRMED',
    },
    closed: { payment: ['authorize_succeeded', 'void'], next: ['void', 'release'] },
  },
  capture: {
    provider: 'payment',
    advancesCheckout: true,
    succeeded: {
      checkout: 'payment_succeeded',
      payment: ['capture_succeeded'],
      next: ['receipt', 'webhook', 'order_created'],
      completesOrder: true,
    },
    rejected: {
      checkout: 'payment_failed',
      payment: ['capture_failed', 'void'],
      next: ['void', 'release'],
    },
    // Money may have moved, so neither void nor reopen: ask again later under the same
    // Idempotency-Key (a capture that did happen is answered, not repeated) and show the buyer's
    // agent the checkout waiting; the answer, when it comes, continues the chain above.
    exhausted: {
      checkout: 'payment_delayed',
      next: [],
      blocker: 'CAPTURE_UNCONFIRMED',
      retryLater: true,
    },
    closed: { payment: ['capture_succeeded', 'refund'], next: ['refund', 'release'] },
  },
  receipt: settle({
    provider: 'receipt',
    succeeded: nothing,
    rejected: nothing,
    exhausted: nothing,
  }),
  webhook: settle({
    provider: 'webhook',
    succeeded: nothing,
    rejected: nothing,
    exhausted: nothing,
  }),
  release: settle({
    provider: 'reservation',
    succeeded: nothing,
    rejected: nothing,
    exhausted: nothing,
  }),
  void: settle({
    provider: 'payment',
    succeeded: { payment: ['void_succeeded'], next: [] },
    rejected: nothing,
    exhausted: nothing,
  }),
  refund: settle({
    provider: 'payment',
    succeeded: { next: ['order_updated'] },
    rejected: nothing,
    exhausted: nothing,
  }),
  order_created: settle({
    provider: 'webhook',
    succeeded: nothing,
    rejected: nothing,
    exhausted: nothing,
    needsOrder: true,
  }),
  order_updated: settle({
    provider: 'webhook',
    succeeded: nothing,
    rejected: nothing,
    exhausted: nothing,
    needsOrder: true,
  }),
  // A subscriber's decision.changed event (issue 18): about a product, not a checkout.
  decision_event: settle({
    provider: 'webhook',
    succeeded: nothing,
    rejected: nothing,
    exhausted: nothing,
  }),
} as const satisfies Record<EffectKind, ChainRow>;

/** What follows an effect's outcome. */
export function chainStep(kind: EffectKind, outcome: EffectOutcome): ChainStep {
  const row: ChainRow = EFFECT_CHAIN[kind];
  return row[outcome];
}

/** Whether the effect is about an order, so it follows only a checkout that is one. */
export function needsOrder(kind: EffectKind): boolean {
  const row: ChainRow = EFFECT_CHAIN[kind];
  return row.needsOrder === true;
}

export function providerOf(kind: EffectKind): Provider {
  return EFFECT_CHAIN[kind].provider;
}
