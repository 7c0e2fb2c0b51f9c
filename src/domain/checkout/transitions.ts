import { z } from 'zod';

/**
 * Checkout as an explicit state machine. Every change to a cart or checkout is one of these
 * events; anything not in the table is refused with ILLEGAL_TRANSITION, never "fixed up".
 */
export const CHECKOUT_STATES = [
  'cart_open',
  'ready_for_payment',
  'completing',
  /**
   * The capture's outcome is unknown: its retries ran out on timeouts or 5xx, so the buyer may
   * have been charged. Visible to the buyer's agent with a CAPTURE_UNCONFIRMED blocker while the
   * capture keeps being sent on the long schedule; it ends in completed, or reopens, once the
   * provider answers (domain/checkout/effect-chain.ts).
   */
  'capture_delayed',
  'completed',
  'canceled',
  'expired',
] as const;
export const CheckoutStateSchema = z.enum(CHECKOUT_STATES);
export type CheckoutState = z.infer<typeof CheckoutStateSchema>;

export const CHECKOUT_EVENTS = [
  'add_item',
  'update_item',
  'remove_item',
  'prepare',
  'start_payment',
  'payment_succeeded',
  'payment_failed',
  /** The capture ran out of attempts without an answer; it goes on, on the long schedule. */
  'payment_delayed',
  'cancel',
  'expire',
] as const;
export const CheckoutEventSchema = z.enum(CHECKOUT_EVENTS);
export type CheckoutEvent = z.infer<typeof CheckoutEventSchema>;

type TransitionTable = {
  readonly [S in CheckoutState]: Partial<Readonly<Record<CheckoutEvent, CheckoutState>>>;
};

export const CHECKOUT_TRANSITIONS = {
  cart_open: {
    add_item: 'cart_open',
    update_item: 'cart_open',
    remove_item: 'cart_open',
    prepare: 'ready_for_payment',
    cancel: 'canceled',
    expire: 'expired',
  },
  ready_for_payment: {
    // Changing a prepared cart reopens it: the prepared total no longer holds.
    add_item: 'cart_open',
    update_item: 'cart_open',
    remove_item: 'cart_open',
    // Preparing again re-prices from current facts.
    prepare: 'ready_for_payment',
    start_payment: 'completing',
    cancel: 'canceled',
    expire: 'expired',
  },
  completing: {
    payment_succeeded: 'completed',
    // No money moved; the buyer may try again with another mandate.
    payment_failed: 'ready_for_payment',
    payment_delayed: 'capture_delayed',
    cancel: 'canceled',
  },
  capture_delayed: {
    payment_succeeded: 'completed',
    // The provider finally refused the capture: the authorization is voided, the cart reopens.
    payment_failed: 'ready_for_payment',
    // Another round of the capture's retries ran out: still unknown, still retried.
    payment_delayed: 'capture_delayed',
    // A capture that lands afterwards is refunded (the chain's `closed` row).
    cancel: 'canceled',
  },
  completed: {},
  canceled: {},
  expired: {},
} as const satisfies TransitionTable;

/**
 * States in which the checkout waits on its payment chain: an effect of the current attempt that
 * settles here still moves the checkout (a success completes it, a refusal reopens it).
 */
export const AWAITING_PAYMENT_STATES: readonly CheckoutState[] = ['completing', 'capture_delayed'];

export const TERMINAL_CHECKOUT_STATES: readonly CheckoutState[] = CHECKOUT_STATES.filter(
  (state) => Object.keys(CHECKOUT_TRANSITIONS[state]).length === 0,
);

export type TransitionOutcome =
  | { ok: true; from: CheckoutState; to: CheckoutState; event: CheckoutEvent }
  | {
      ok: false;
      code: 'ILLEGAL_TRANSITION';
      from: CheckoutState;
      event: CheckoutEvent;
      allowed: CheckoutEvent[];
    };

export function allowedEvents(state: CheckoutState): CheckoutEvent[] {
  return Object.keys(CHECKOUT_TRANSITIONS[state]) as CheckoutEvent[];
}

export function transition(from: CheckoutState, event: CheckoutEvent): TransitionOutcome {
  const row: Partial<Record<CheckoutEvent, CheckoutState>> = CHECKOUT_TRANSITIONS[from];
  const to = row[event];
  if (to === undefined)
    return { ok: false, code: 'ILLEGAL_TRANSITION', from, event, allowed: allowedEvents(from) };
  return { ok: true, from, to, event };
}

export type VersionedOutcome =
  | TransitionOutcome
  | { ok: false; code: 'CART_VERSION_CONFLICT'; expectedVersion: number; currentVersion: number };

/**
 * A transition against a stored snapshot: the caller's expected version must be the stored one,
 * so two concurrent writers cannot both win.
 */
export function transitionVersioned(
  snapshot: { state: CheckoutState; version: number },
  event: CheckoutEvent,
  expectedVersion: number | undefined,
): VersionedOutcome {
  if (expectedVersion !== undefined && expectedVersion !== snapshot.version) {
    return {
      ok: false,
      code: 'CART_VERSION_CONFLICT',
      expectedVersion,
      currentVersion: snapshot.version,
    };
  }
  return transition(snapshot.state, event);
}
