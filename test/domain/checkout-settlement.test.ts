import { describe, expect, it } from 'vitest';
import {
  admitRequest,
  type CheckoutRecord,
  type CheckoutState,
  decidePaymentAction,
  decideSettlement,
  type EffectKind,
  effectRecordOf,
  isAllowed,
  isConflictRefusal,
  type PaymentRecord,
  type PaymentState,
  type ReportedOutcome,
  toInstant,
  touchesCheckout,
} from '../../src/domain/index.js';

/**
 * Payment actions, effect settlement and request admission as the domain decides them: rows of
 * tables over a checkout snapshot, no Redis, `now` and ids injected.
 */

const NOW = Date.parse('2026-06-01T12:00:00Z');
const IDS = { orderId: (checkoutId: string) => `order-of-${checkoutId}` };

function payment(state: PaymentState, extra: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: 'co_1.p1',
    attempt: 1,
    state,
    amount: { amount: 12900, currency: 'EUR' },
    capturedAmount: 0,
    refundedAmount: 0,
    refunds: 0,
    allowanceRef: 'acp_allowance:co_1:2026-06-01T13:00:00.000Z',
    reservationId: 'co_1.r1',
    ...extra,
  };
}

function checkout(state: CheckoutState, payments: PaymentRecord[] = []): CheckoutRecord {
  return {
    id: 'co_1',
    tenant: 't1',
    state,
    version: 4,
    context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
    lines: [],
    preparedTotal: { amount: 12900, currency: 'EUR' },
    cartSnapshotHash: null,
    attempt: payments.length,
    payments,
    orderId: null,
    correlationId: 'corr',
    lastFailure: null,
    createdAt: toInstant(NOW),
    updatedAt: toInstant(NOW),
  };
}

describe('decidePaymentAction', () => {
  const cases: {
    name: string;
    payments: PaymentRecord[];
    action: 'capture' | 'void' | 'refund';
    amount?: number;
    codes: string[];
    effects?: EffectKind[];
    params?: Record<string, string>;
  }[] = [
    {
      name: 'refuses any action on a checkout that never started a payment',
      payments: [],
      action: 'capture',
      codes: ['PAYMENT_TRANSITION_REFUSED'],
      params: { from: 'none', event: 'capture', allowed: 'none' },
    },
    {
      name: 'refuses a refund beyond what was captured, in money',
      payments: [payment('captured', { capturedAmount: 12900 })],
      action: 'refund',
      amount: 20000,
      codes: ['REFUND_EXCEEDS_CAPTURED'],
      params: { requested: '200.00 EUR', refundable: '129.00 EUR' },
    },
    {
      name: 'refuses a capture the payment table does not allow',
      payments: [payment('pending')],
      action: 'capture',
      codes: ['PAYMENT_TRANSITION_REFUSED'],
    },
    {
      name: 'captures an authorization',
      payments: [payment('authorized')],
      action: 'capture',
      codes: [],
      effects: ['capture'],
    },
    {
      name: 'voids an authorization and gives the stock back',
      payments: [payment('authorized')],
      action: 'void',
      codes: [],
      effects: ['void', 'release'],
    },
    {
      name: 'refunds part of a capture',
      payments: [payment('captured', { capturedAmount: 12900 })],
      action: 'refund',
      amount: 900,
      codes: [],
      effects: ['refund'],
    },
  ];

  it.each(cases)('$name', ({ payments, action, amount, codes, effects, params }) => {
    const step = decidePaymentAction(checkout('completed', payments), { action, amount }, NOW);
    expect(step.decision.action).toBe(`payment_${action}`);
    expect(step.decision.blockers.map((b) => b.code)).toEqual(codes);
    expect(isAllowed(step.decision)).toBe(codes.length === 0);
    if (params !== undefined) expect(step.decision.blockers[0]?.params).toEqual(params);
    expect(step.kind === 'apply' ? step.effects?.kinds : undefined).toEqual(effects);
  });

  it('numbers a refund effect by the refunds accepted before it and counts this one', () => {
    const step = decidePaymentAction(
      checkout('completed', [payment('captured', { capturedAmount: 12900, refunds: 2 })]),
      { action: 'refund', amount: 900 },
      NOW,
    );
    if (step.kind !== 'apply') throw new Error('refund refused');
    expect(step.effects).toMatchObject({ refundAmount: 900, payment: { refunds: 2 } });
    expect(step.next.payments[0]).toMatchObject({ refunds: 3, refundedAmount: 900 });
  });
});

describe('decideSettlement', () => {
  const cases: {
    name: string;
    state: CheckoutState;
    payment: PaymentState;
    kind: EffectKind;
    outcome: ReportedOutcome;
    applied: string;
    next: CheckoutState;
    followUps: EffectKind[] | undefined;
    orderId: string | null;
    blocker?: string;
  }[] = [
    {
      name: 'a capture that succeeds completes the checkout and makes it an order',
      state: 'completing',
      payment: 'capturing',
      kind: 'capture',
      outcome: 'succeeded',
      applied: 'succeeded',
      next: 'completed',
      followUps: ['receipt', 'webhook', 'order_created'],
      orderId: 'order-of-co_1',
    },
    {
      name: 'a capture that lands on a canceled checkout is closed: refunded, stock released',
      state: 'canceled',
      payment: 'capturing',
      kind: 'capture',
      outcome: 'succeeded',
      applied: 'closed',
      next: 'canceled',
      followUps: ['refund', 'release'],
      orderId: null,
    },
    {
      name: 'an unanswered reservation reopens the checkout with RESERVATION_UNCONFIRMED',
      state: 'completing',
      payment: 'pending',
      kind: 'reserve',
      outcome: 'exhausted',
      applied: 'exhausted',
      next: 'ready_for_payment',
      followUps: ['release'],
      orderId: null,
      blocker: 'RESERVATION_UNCONFIRMED',
    },
    {
      name: 'an unanswered capture waits visibly in capture_delayed',
      state: 'completing',
      payment: 'capturing',
      kind: 'capture',
      outcome: 'exhausted',
      applied: 'exhausted',
      next: 'capture_delayed',
      followUps: undefined,
      orderId: null,
      blocker: 'CAPTURE_UNCONFIRMED',
    },
  ];

  describe('when a refund went through', () => {
    const refunded = (orderId: string | null, state: CheckoutState) =>
      decideSettlement(
        { ...checkout(state, [payment('captured')]), orderId },
        { id: 'co_1.a1.refund.0', kind: 'refund', attempt: 1, paymentId: 'co_1.p1' },
        'succeeded',
        undefined,
        IDS,
        NOW,
      );

    it('updates the order: order_updated follows', () => {
      expect(refunded('order-of-co_1', 'completed').effects?.kinds).toEqual(['order_updated']);
    });

    it('updates nothing for a checkout that never became an order (a capture after its cancel)', () => {
      expect(refunded(null, 'canceled').effects).toBeUndefined();
    });
  });

  it.each(cases)('$name', (c) => {
    const settled = decideSettlement(
      checkout(c.state, [payment(c.payment)]),
      { id: `co_1.a1.${c.kind}`, kind: c.kind, attempt: 1, paymentId: 'co_1.p1' },
      c.outcome,
      'timeout',
      IDS,
      NOW,
    );
    expect(settled.applied).toBe(c.applied);
    expect(settled.next.state).toBe(c.next);
    expect(settled.next.orderId).toBe(c.orderId);
    expect(settled.next.version).toBe(5);
    expect(settled.effects?.kinds).toEqual(c.followUps);
    expect(settled.next.lastFailure?.blocker?.code).toBe(c.blocker);
  });

  const records: [EffectKind, ReportedOutcome, string, boolean][] = [
    ['capture', 'succeeded', 'delivered', true],
    ['capture', 'exhausted', 'retry', true],
    ['reserve', 'rejected', 'dead', true],
    ['receipt', 'exhausted', 'exhausted', false],
    ['void', 'succeeded', 'delivered', true],
  ];
  it.each(records)(
    'records %s %s as %s (touches the checkout: %s)',
    (kind, outcome, record, touches) => {
      expect(effectRecordOf(kind, outcome)).toBe(record);
      expect(touchesCheckout(kind, outcome)).toBe(touches);
    },
  );
});

describe('admitRequest', () => {
  const cases: {
    name: string;
    state: CheckoutState;
    event?: 'prepare' | 'start_payment';
    expectedVersion?: number;
    ok: boolean;
    race?: boolean;
    code?: string;
  }[] = [
    { name: 'admits an event the state allows', state: 'cart_open', event: 'prepare', ok: true },
    {
      name: 'admits a version-only request at the stored version',
      state: 'completed',
      expectedVersion: 4,
      ok: true,
    },
    {
      name: 'refuses a stale version as a race',
      state: 'cart_open',
      event: 'prepare',
      expectedVersion: 3,
      ok: false,
      race: true,
      code: 'CART_VERSION_CONFLICT',
    },
    {
      name: 'refuses a stale version of a payment action as a race',
      state: 'completed',
      expectedVersion: 3,
      ok: false,
      race: true,
      code: 'CART_VERSION_CONFLICT',
    },
    {
      name: 'refuses an event the state does not allow, as an answer',
      state: 'cart_open',
      event: 'start_payment',
      ok: false,
      race: false,
      code: 'ILLEGAL_TRANSITION',
    },
  ];

  it.each(cases)('$name', ({ state, event, expectedVersion, ok, race, code }) => {
    const admission = admitRequest(
      { state, version: 4 },
      { action: event ?? 'payment_capture', event, expectedVersion },
      NOW,
    );
    expect(admission.ok).toBe(ok);
    if (admission.ok) return;
    expect(admission.race).toBe(race);
    expect(admission.decision.blockers.map((b) => b.code)).toEqual([code]);
    expect(isConflictRefusal(admission.decision)).toBe(true);
  });
});
