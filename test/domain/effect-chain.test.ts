import { describe, expect, it } from 'vitest';
import {
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

/** Walks the chain from `reserve` with the outcome chosen per kind, as the delivery worker would. */
function walk(outcomes: Partial<Record<EffectKind, (typeof EFFECT_OUTCOMES)[number]>>) {
  let checkout: CheckoutState = 'completing';
  let payment: PaymentSnapshot = {
    state: 'pending',
    amount: { amount: 12900, currency: 'EUR' },
    capturedAmount: 0,
    refundedAmount: 0,
  };
  const sent: EffectKind[] = [];
  const queue: EffectKind[] = ['reserve'];
  while (queue.length > 0) {
    const kind = queue.shift() as EffectKind;
    sent.push(kind);
    const step = chainStep(kind, outcomes[kind] ?? 'succeeded');
    if (step.checkout !== undefined) {
      const row: Partial<Record<CheckoutEvent, CheckoutState>> = CHECKOUT_TRANSITIONS[checkout];
      const to = row[step.checkout];
      if (to === undefined) throw new Error(`illegal ${step.checkout} from ${checkout}`);
      checkout = to;
    }
    if (step.payment !== undefined) {
      const outcome = applyPaymentEvents(payment, step.payment);
      if (!outcome.ok) throw new Error(`payment refused ${JSON.stringify(outcome)}`);
      payment = outcome.payment;
    }
    queue.push(...step.next);
  }
  return { checkout, payment: payment.state as PaymentState, sent };
}

describe('EFFECT_CHAIN', () => {
  it('has a row for every effect kind and a step for every outcome', () => {
    for (const kind of EFFECT_KINDS) {
      for (const outcome of EFFECT_OUTCOMES) expect(chainStep(kind, outcome)).toBeDefined();
    }
    expect(Object.keys(EFFECT_CHAIN).sort()).toEqual([...EFFECT_KINDS].sort());
  });

  const cases: [string, Parameters<typeof walk>[0], ReturnType<typeof walk>][] = [
    [
      'everything succeeds',
      {},
      {
        checkout: 'completed',
        payment: 'captured',
        sent: ['reserve', 'authorize', 'capture', 'receipt', 'webhook'],
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
      { checkout: 'ready_for_payment', payment: 'failed', sent: ['reserve', 'release'] },
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
      'the capture never answers (money may have moved)',
      { capture: 'exhausted' },
      { checkout: 'completing', payment: 'capturing', sent: ['reserve', 'authorize', 'capture'] },
    ],
  ];
  for (const [name, outcomes, expected] of cases) {
    it(`when ${name}, ends ${expected.checkout} with the payment ${expected.payment}`, () => {
      expect(walk(outcomes)).toEqual(expected);
    });
  }

  describe('when the checkout was canceled while an effect was in flight', () => {
    it('undoes a successful authorization: void and release', () => {
      expect(chainStep('authorize', 'closed').next).toEqual(['void', 'release']);
    });
    it('refunds a successful capture', () => {
      expect(chainStep('capture', 'closed').next).toEqual(['refund', 'release']);
    });
  });
});
