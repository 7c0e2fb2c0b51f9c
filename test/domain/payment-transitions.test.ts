import { describe, expect, it } from 'vitest';
import {
  applyPaymentEvent,
  applyPaymentEvents,
  PAYMENT_EVENTS,
  PAYMENT_STATES,
  PAYMENT_TRANSITIONS,
  type PaymentEvent,
  type PaymentSnapshot,
  type PaymentState,
} from '../../src/domain/index.js';

const at = (state: PaymentState, captured = 0, refunded = 0): PaymentSnapshot => ({
  state,
  amount: { amount: 12900, currency: 'EUR' },
  capturedAmount: captured,
  refundedAmount: refunded,
});

describe('PAYMENT_TRANSITIONS', () => {
  it('names only known states and events', () => {
    for (const [from, row] of Object.entries(PAYMENT_TRANSITIONS)) {
      expect(PAYMENT_STATES).toContain(from);
      for (const [event, to] of Object.entries(row)) {
        expect(PAYMENT_EVENTS).toContain(event);
        expect(PAYMENT_STATES).toContain(to);
      }
    }
  });

  it('reaches every state from pending', () => {
    const seen = new Set<PaymentState>(['pending']);
    const queue: PaymentState[] = ['pending'];
    while (queue.length > 0) {
      const state = queue.shift() as PaymentState;
      const row: Partial<Record<PaymentEvent, PaymentState>> = PAYMENT_TRANSITIONS[state];
      for (const to of Object.values(row)) {
        if (to !== undefined && !seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    // refunded is reached by the refund guard, not by a row.
    expect([...seen, 'refunded'].sort()).toEqual([...PAYMENT_STATES].sort());
  });
});

describe('applyPaymentEvent', () => {
  const refused: [string, PaymentSnapshot, PaymentEvent][] = [
    ['capture before authorize', at('pending'), 'capture'],
    ['a second capture', at('capturing'), 'capture'],
    ['capture after capture', at('captured', 12900), 'capture'],
    ['void after capture', at('captured', 12900), 'void'],
    ['refund after void', at('voided'), 'refund'],
    ['refund before capture', at('authorized'), 'refund'],
    ['refund while capturing', at('capturing'), 'refund'],
    ['capture after void', at('voided'), 'capture'],
    ['refund after a full refund', at('refunded', 12900, 12900), 'refund'],
  ];
  for (const [name, payment, event] of refused) {
    it(`refuses ${name} with PAYMENT_TRANSITION_REFUSED`, () => {
      const outcome = applyPaymentEvent(payment, event, 100);
      expect(outcome).toMatchObject({ ok: false, code: 'PAYMENT_TRANSITION_REFUSED' });
    });
  }

  describe('when a refund exceeds what is still captured', () => {
    it('refuses with REFUND_EXCEEDS_CAPTURED and says how much is refundable', () => {
      expect(applyPaymentEvent(at('captured', 12900, 10000), 'refund', 3000)).toEqual({
        ok: false,
        code: 'REFUND_EXCEEDS_CAPTURED',
        requested: 3000,
        refundable: 2900,
      });
    });
  });

  it('keeps a partial refund captured and ends a full one in refunded', () => {
    const partial = applyPaymentEvent(at('captured', 12900), 'refund', 2900);
    expect(partial).toMatchObject({
      ok: true,
      payment: { state: 'captured', refundedAmount: 2900 },
    });
    if (!partial.ok) return;
    const rest = applyPaymentEvent(partial.payment, 'refund', 10000);
    expect(rest).toMatchObject({ ok: true, payment: { state: 'refunded', refundedAmount: 12900 } });
  });

  it('captures the authorized amount', () => {
    expect(applyPaymentEvent(at('capturing'), 'capture_succeeded')).toMatchObject({
      ok: true,
      payment: { state: 'captured', capturedAmount: 12900 },
    });
  });

  it('refunds everything captured when no amount is given', () => {
    const outcome = applyPaymentEvents(at('capturing'), ['capture_succeeded', 'refund']);
    expect(outcome).toMatchObject({
      ok: true,
      payment: { state: 'refunded', refundedAmount: 12900 },
    });
  });
});
