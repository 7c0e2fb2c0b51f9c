import { describe, expect, it } from 'vitest';
import {
  AWAITING_PAYMENT_STATES,
  applyPaymentEvents,
  CHECKOUT_TRANSITIONS,
  type CheckoutEvent,
  type CheckoutState,
  chainStep,
  EFFECT_CHAIN,
  EFFECT_KINDS,
  EFFECT_OUTCOMES,
  type EffectKind,
  type PaymentSnapshot,
  type PaymentState,
} from '../../src/domain/index.js';

type Outcome = (typeof EFFECT_OUTCOMES)[number];

/**
 * Walks the chain from `reserve` as the delivery worker would, each kind meeting its outcomes in
 * order (the last one repeating). An effect whose step says `retryLater` goes to the back of the
 * queue to be sent again; `states` lists every checkout state passed through.
 */
function walk(outcomes: Partial<Record<EffectKind, Outcome | Outcome[]>>) {
  let checkout: CheckoutState = 'completing';
  const states: CheckoutState[] = [checkout];
  let payment: PaymentSnapshot = {
    state: 'pending',
    amount: { amount: 12900, currency: 'EUR' },
    capturedAmount: 0,
    refundedAmount: 0,
  };
  const sent: EffectKind[] = [];
  const blockers: string[] = [];
  const met = new Map<EffectKind, number>();
  const queue: EffectKind[] = ['reserve'];
  while (queue.length > 0) {
    const kind = queue.shift() as EffectKind;
    sent.push(kind);
    if (sent.length > 50) throw new Error(`the chain does not end: ${sent.join(', ')}`);
    const list = [outcomes[kind] ?? 'succeeded'].flat();
    const n = met.get(kind) ?? 0;
    met.set(kind, n + 1);
    const step = chainStep(kind, list[Math.min(n, list.length - 1)] as Outcome);
    if (step.checkout !== undefined && AWAITING_PAYMENT_STATES.includes(checkout)) {
      const row: Partial<Record<CheckoutEvent, CheckoutState>> = CHECKOUT_TRANSITIONS[checkout];
      const to = row[step.checkout];
      if (to === undefined) throw new Error(`illegal ${step.checkout} from ${checkout}`);
      checkout = to;
      if (states.at(-1) !== to) states.push(to);
    }
    if (step.payment !== undefined) {
      const outcome = applyPaymentEvents(payment, step.payment);
      if (!outcome.ok) throw new Error(`payment refused ${JSON.stringify(outcome)}`);
      payment = outcome.payment;
    }
    if (step.blocker !== undefined) blockers.push(step.blocker);
    queue.push(...step.next);
    if (step.retryLater) queue.push(kind);
  }
  return { checkout, payment: payment.state as PaymentState, sent, states, blockers };
}

const FINAL_FOR_THE_BUYER: readonly CheckoutState[] = ['completed', 'ready_for_payment'];

describe('EFFECT_CHAIN', () => {
  it('has a row for every effect kind and a step for every outcome', () => {
    for (const kind of EFFECT_KINDS) {
      for (const outcome of EFFECT_OUTCOMES) expect(chainStep(kind, outcome)).toBeDefined();
    }
    expect(Object.keys(EFFECT_CHAIN).sort()).toEqual([...EFFECT_KINDS].sort());
  });

  const cases: [string, Parameters<typeof walk>[0], Partial<ReturnType<typeof walk>>][] = [
    [
      'everything succeeds',
      {},
      {
        checkout: 'completed',
        payment: 'captured',
        sent: ['reserve', 'authorize', 'capture', 'receipt', 'webhook', 'order_created'],
        blockers: [],
      },
    ],
    [
      'the reservation is refused',
      { reserve: 'rejected' },
      { checkout: 'ready_for_payment', payment: 'failed', sent: ['reserve'] },
    ],
    [
      'the reservation never answers',
      { reserve: 'exhausted' },
      {
        checkout: 'ready_for_payment',
        payment: 'failed',
        sent: ['reserve', 'release'],
        blockers: ['RESERVATION_UNCONFIRMED'],
      },
    ],
    [
      'the authorization is declined',
      { authorize: 'rejected' },
      {
        checkout: 'ready_for_payment',
        payment: 'failed',
        sent: ['reserve', 'authorize', 'release'],
      },
    ],
    [
      'the authorization never answers',
      { authorize: 'exhausted' },
      {
        checkout: 'ready_for_payment',
        payment: 'voided',
        sent: ['reserve', 'authorize', 'void', 'release'],
        blockers: ['AUTHORIZATION_UNCONFIRMED'],
      },
    ],
    [
      'the capture is refused',
      { capture: 'rejected' },
      {
        checkout: 'ready_for_payment',
        payment: 'voided',
        sent: ['reserve', 'authorize', 'capture', 'void', 'release'],
      },
    ],
    [
      'the capture runs out of attempts twice, then lands (money may have moved meanwhile)',
      { capture: ['exhausted', 'exhausted', 'succeeded'] },
      {
        checkout: 'completed',
        payment: 'captured',
        states: ['completing', 'capture_delayed', 'completed'],
        sent: [
          'reserve',
          'authorize',
          'capture',
          'capture',
          'capture',
          'receipt',
          'webhook',
          'order_created',
        ],
        blockers: ['CAPTURE_UNCONFIRMED', 'CAPTURE_UNCONFIRMED'],
      },
    ],
    [
      'the capture runs out of attempts, then is refused',
      { capture: ['exhausted', 'rejected'] },
      {
        checkout: 'ready_for_payment',
        payment: 'voided',
        states: ['completing', 'capture_delayed', 'ready_for_payment'],
        sent: ['reserve', 'authorize', 'capture', 'capture', 'void', 'release'],
      },
    ],
  ];
  for (const [name, outcomes, expected] of cases) {
    it(`when ${name}, ends ${expected.checkout} with the payment ${expected.payment}`, () => {
      expect(walk(outcomes)).toMatchObject(expected);
    });
  }

  describe('when any effect of the chain runs out of attempts', () => {
    const chainKinds: EffectKind[] = [
      'reserve',
      'authorize',
      'capture',
      'receipt',
      'webhook',
      'order_created',
    ];
    it.each(chainKinds)('%s: the checkout ends final for the buyer once answers come', (kind) => {
      // Exhausted on the first round; whatever is sent again is answered.
      const { checkout } = walk({ [kind]: ['exhausted', 'succeeded'] });
      expect(FINAL_FOR_THE_BUYER).toContain(checkout);
    });

    it.each(EFFECT_KINDS)('%s: the checkout is never left completing', (kind) => {
      const step = chainStep(kind, 'exhausted');
      const row = EFFECT_CHAIN[kind];
      if (row.advancesCheckout) {
        expect(step.checkout).toBeDefined();
        expect(CHECKOUT_TRANSITIONS.completing[step.checkout as 'payment_failed']).not.toBe(
          'completing',
        );
        expect(step.blocker).toBeDefined();
      } else {
        // After the checkout's own outcome: dead-lettered, nothing retried or moved.
        expect(step).toEqual({ next: [] });
      }
    });

    it('only the capture is retried on the long schedule (money may have moved)', () => {
      const later = EFFECT_KINDS.filter((kind) => chainStep(kind, 'exhausted').retryLater);
      expect(later).toEqual(['capture']);
    });
  });

  describe('when the checkout was canceled while an effect was in flight', () => {
    it('undoes a successful authorization: void and release', () => {
      expect(chainStep('authorize', 'closed').next).toEqual(['void', 'release']);
    });
    it('refunds a successful capture', () => {
      expect(chainStep('capture', 'closed').next).toEqual(['refund', 'release']);
    });
  });
});
