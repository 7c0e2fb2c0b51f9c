import { z } from 'zod';
import type { PaymentEvent } from '../payment/transitions.js';
import type { CheckoutEvent } from './transitions.js';

/**
 * The provider effects of a checkout and what each outcome causes, as one table (the effects
 * half of `decide → {decision, effects}`). Services carry the effects out; the domain only says
 * which follow.
 *
 *   complete ─▶ reserve ─▶ authorize ─▶ capture ─▶ receipt + webhook
 *                  │            │            │
 *                  ▼            ▼            ▼
 *           payment_failed   release     void + release
 *
 * Outcomes:
 * - `succeeded`: the provider answered 2xx.
 * - `rejected`: the provider answered a permanent no (4xx): nothing happened there.
 * - `exhausted`: retries ran out on timeouts/5xx: the provider MAY have applied it.
 * - `closed`: it succeeded, but the checkout is no longer completing this attempt (it was
 *   canceled meanwhile): undo what the effect did instead of advancing.
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
}

export interface ChainRow {
  provider: Provider;
  /** Part of the payment chain: its success advances the checkout, so `closed` applies. */
  advancesCheckout: boolean;
  succeeded: ChainStep;
  rejected: ChainStep;
  exhausted: ChainStep;
  closed: ChainStep;
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
    exhausted: { checkout: 'payment_failed', payment: ['abandon'], next: ['release'] },
    closed: { payment: ['abandon'], next: ['release'] },
  },
  authorize: {
    provider: 'payment',
    advancesCheckout: true,
    succeeded: { payment: ['authorize_succeeded', 'capture'], next: ['capture'] },
    rejected: { checkout: 'payment_failed', payment: ['authorize_failed'], next: ['release'] },
    // An authorization may exist without our knowing: void it, release the stock.
    exhausted: { checkout: 'payment_failed', payment: ['void'], next: ['void', 'release'] },
    closed: { payment: ['authorize_succeeded', 'void'], next: ['void', 'release'] },
  },
  capture: {
    provider: 'payment',
    advancesCheckout: true,
    succeeded: {
      checkout: 'payment_succeeded',
      payment: ['capture_succeeded'],
      next: ['receipt', 'webhook'],
    },
    rejected: {
      checkout: 'payment_failed',
      payment: ['capture_failed', 'void'],
      next: ['void', 'release'],
    },
    // Money may have moved: nothing automatic. The dead letter holds it for replay (same
    // Idempotency-Key, so a capture that did happen is not repeated) and reconciliation reports it.
    exhausted: nothing,
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

export function providerOf(kind: EffectKind): Provider {
  return EFFECT_CHAIN[kind].provider;
}
