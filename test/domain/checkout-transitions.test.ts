import { describe, expect, it } from 'vitest';
import { blocker } from '../../src/domain/blockers.js';
import {
  allowedEvents,
  CHECKOUT_EVENTS,
  CHECKOUT_STATES,
  CHECKOUT_TRANSITIONS,
  type CheckoutEvent,
  type CheckoutState,
  TERMINAL_CHECKOUT_STATES,
  transition,
  transitionVersioned,
} from '../../src/domain/checkout/transitions.js';

const TABLE: Record<
  CheckoutState,
  Partial<Record<CheckoutEvent, CheckoutState>>
> = CHECKOUT_TRANSITIONS;

function successors(state: CheckoutState): CheckoutState[] {
  return Object.values(TABLE[state]) as CheckoutState[];
}

/** Every state reachable from `start` by legal events, `start` included. */
function reachableFrom(start: CheckoutState): Set<CheckoutState> {
  const seen = new Set<CheckoutState>([start]);
  const queue = [start];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const next of successors(state)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

describe('CHECKOUT_TRANSITIONS', () => {
  it('has a row for every state and no other', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...CHECKOUT_STATES].sort());
  });

  describe.each(CHECKOUT_STATES)('from %s', (state) => {
    it('only names known events', () => {
      for (const event of Object.keys(TABLE[state])) expect(CHECKOUT_EVENTS).toContain(event);
    });

    it('only leads to known states', () => {
      for (const next of successors(state)) expect(CHECKOUT_STATES).toContain(next);
    });

    it('is reachable from cart_open', () => {
      expect(reachableFrom('cart_open').has(state)).toBe(true);
    });

    it('can still reach a terminal state', () => {
      const reachable = reachableFrom(state);
      expect(TERMINAL_CHECKOUT_STATES.some((terminal) => reachable.has(terminal))).toBe(true);
    });
  });

  it('ends in completed, canceled or expired, which allow nothing further', () => {
    expect([...TERMINAL_CHECKOUT_STATES].sort()).toEqual(['canceled', 'completed', 'expired']);
    for (const terminal of TERMINAL_CHECKOUT_STATES) expect(allowedEvents(terminal)).toEqual([]);
  });
});

describe('transition', () => {
  const LEGAL: [CheckoutState, CheckoutEvent, CheckoutState][] = [
    ['cart_open', 'add_item', 'cart_open'],
    ['cart_open', 'prepare', 'ready_for_payment'],
    ['ready_for_payment', 'update_item', 'cart_open'],
    ['ready_for_payment', 'prepare', 'ready_for_payment'],
    ['ready_for_payment', 'start_payment', 'completing'],
    ['completing', 'payment_succeeded', 'completed'],
    ['completing', 'payment_failed', 'ready_for_payment'],
    ['completing', 'cancel', 'canceled'],
    ['completing', 'payment_delayed', 'capture_delayed'],
    ['capture_delayed', 'payment_delayed', 'capture_delayed'],
    ['capture_delayed', 'payment_succeeded', 'completed'],
    ['capture_delayed', 'payment_failed', 'ready_for_payment'],
    ['capture_delayed', 'cancel', 'canceled'],
    ['ready_for_payment', 'expire', 'expired'],
  ];

  describe.each(LEGAL)('when a %s checkout receives %s', (from, event, to) => {
    it(`moves to ${to}`, () => {
      expect(transition(from, event)).toEqual({ ok: true, from, to, event });
    });
  });

  const ILLEGAL = CHECKOUT_STATES.flatMap((from) =>
    CHECKOUT_EVENTS.filter((event) => TABLE[from][event] === undefined).map(
      (event) => [from, event] as const,
    ),
  );

  it('has illegal transitions to test (the table is not complete)', () => {
    expect(ILLEGAL.length).toBeGreaterThan(20);
  });

  describe.each(ILLEGAL)('when a %s checkout receives %s', (from, event) => {
    it('refuses with ILLEGAL_TRANSITION and the events it would allow', () => {
      expect(transition(from, event)).toEqual({
        ok: false,
        code: 'ILLEGAL_TRANSITION',
        from,
        event,
        allowed: allowedEvents(from),
      });
    });
  });

  describe('when a cart_open checkout is asked to start payment', () => {
    it('tells the caller what it can do instead', () => {
      const outcome = transition('cart_open', 'start_payment');
      if (outcome.ok) throw new Error('start_payment on an open cart was accepted');
      expect(outcome.allowed).toEqual([
        'add_item',
        'update_item',
        'remove_item',
        'prepare',
        'cancel',
        'expire',
      ]);
      const refusal = blocker(outcome.code, {
        from: outcome.from,
        event: outcome.event,
        allowed: outcome.allowed.join(', '),
      });
      expect(refusal.message).toBe('A checkout in state cart_open cannot start_payment.');
      expect(refusal.nextAction).toContain('prepare');
    });
  });
});

describe('transitionVersioned', () => {
  const snapshot = { state: 'ready_for_payment' as const, version: 4 };

  describe('when the caller expects an older version', () => {
    it('refuses with CART_VERSION_CONFLICT, naming both versions', () => {
      expect(transitionVersioned(snapshot, 'start_payment', 3)).toEqual({
        ok: false,
        code: 'CART_VERSION_CONFLICT',
        expectedVersion: 3,
        currentVersion: 4,
      });
    });

    it('reports the conflict before judging the event', () => {
      const outcome = transitionVersioned(snapshot, 'payment_succeeded', 3);
      expect(outcome.ok === false && outcome.code).toBe('CART_VERSION_CONFLICT');
    });
  });

  describe('when the caller expects the current version', () => {
    it('applies the transition', () => {
      expect(transitionVersioned(snapshot, 'start_payment', 4)).toEqual({
        ok: true,
        from: 'ready_for_payment',
        to: 'completing',
        event: 'start_payment',
      });
    });

    it('still refuses an illegal event', () => {
      const outcome = transitionVersioned(snapshot, 'payment_succeeded', 4);
      expect(outcome.ok === false && outcome.code).toBe('ILLEGAL_TRANSITION');
    });
  });

  describe('when the caller states no version', () => {
    it('applies the transition unconditionally', () => {
      expect(transitionVersioned(snapshot, 'cancel', undefined)).toMatchObject({
        ok: true,
        to: 'canceled',
      });
    });
  });
});
