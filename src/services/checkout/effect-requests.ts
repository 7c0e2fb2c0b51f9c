import { type EffectKind, providerOf, toInstant } from '../../domain/index.js';
import type { DueEffect, OutboxEffect } from '../../store/outbox-store.js';
import type { WebhookSubscriber } from '../../store/webhook-subscriber-store.js';
import type { CheckoutRecord, PaymentRecord } from './checkout-record.js';
import type { OrderEventName, OrderEventSink } from './order-events.js';

/**
 * How each effect kind becomes a provider request, one row per kind. The request is built once,
 * when the effect is written, and stored with it: every retry sends the same body under the same
 * Idempotency-Key (the effect id).
 */

export interface EffectContext {
  checkout: CheckoutRecord;
  payment: PaymentRecord;
  correlationId: string;
  nowMs: number;
  reservationTtlSeconds: number;
  /** The tenant's webhook subscribers, for `webhook`. */
  subscribers: readonly WebhookSubscriber[];
  /** The refund being requested, for `refund`. */
  refundAmount?: number;
  /** Where order events go, for `order_created` and `order_updated`. */
  orderEvents?: readonly OrderEventSink[];
}

type Request = Pick<OutboxEffect, 'path' | 'url' | 'body' | 'amount' | 'webhookProfile'> & {
  suffix?: string;
};

const enc = encodeURIComponent;

function saleLines(checkout: CheckoutRecord) {
  return checkout.lines.map((line) => ({
    sku: line.sku,
    title: line.title,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
  }));
}

/**
 * One request per sink. An order is created once; it is updated as often as it changes, so an
 * update is named by the checkout version it shows (one write, one version, one event).
 */
function orderEvents(event: OrderEventName, ctx: EffectContext): Request[] {
  return (ctx.orderEvents ?? []).map((sink) => ({
    url: sink.url,
    suffix: event === 'created' ? sink.id : `${sink.id}.v${ctx.checkout.version}`,
    webhookProfile: sink.profile,
    body: sink.body({ event, checkout: ctx.checkout, payment: ctx.payment, nowMs: ctx.nowMs }),
  }));
}

const REQUESTS: Record<EffectKind, (ctx: EffectContext) => Request[]> = {
  reserve: ({ checkout, payment, reservationTtlSeconds }) => [
    {
      path: '/reservations',
      body: {
        reservationId: payment.reservationId,
        lines: checkout.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
        ttlSeconds: reservationTtlSeconds,
      },
    },
  ],
  release: ({ payment }) => [
    { path: `/reservations/${enc(payment.reservationId)}/release`, body: {} },
  ],
  authorize: ({ checkout, payment }) => [
    {
      path: '/payments/authorize',
      body: {
        paymentId: payment.paymentId,
        checkoutId: checkout.id,
        amount: payment.amount.amount,
        currency: payment.amount.currency,
        allowanceRef: payment.allowanceRef,
      },
    },
  ],
  capture: ({ payment }) => [{ path: `/payments/${enc(payment.paymentId)}/capture`, body: {} }],
  void: ({ payment }) => [{ path: `/payments/${enc(payment.paymentId)}/void`, body: {} }],
  refund: ({ payment, refundAmount }) => {
    const amount = refundAmount ?? payment.capturedAmount - payment.refundedAmount;
    return [
      {
        path: `/payments/${enc(payment.paymentId)}/refund`,
        body: { amount },
        amount,
        // Refunds repeat; each accepted request is its own effect.
        suffix: String(payment.refunds),
      },
    ];
  },
  receipt: ({ checkout, payment }) => [
    {
      path: '/receipts',
      body: {
        checkoutId: checkout.id,
        orderId: checkout.orderId,
        lines: saleLines(checkout),
        total: payment.amount,
      },
    },
  ],
  webhook: ({ checkout, payment, subscribers, nowMs }) =>
    subscribers
      .filter((subscriber) => subscriber.events.includes('order.completed'))
      .map((subscriber) => ({
        url: subscriber.url,
        suffix: subscriber.id,
        body: {
          type: 'order.completed',
          createdAt: toInstant(nowMs),
          data: {
            checkoutId: checkout.id,
            orderId: checkout.orderId,
            total: payment.amount,
            lines: saleLines(checkout),
          },
        },
      })),
  order_created: (ctx) => orderEvents('created', ctx),
  order_updated: (ctx) => orderEvents('updated', ctx),
  // Written by the decision-event projector, never by a checkout.
  decision_event: () => [],
};

export function effectId(checkoutId: string, attempt: number, kind: EffectKind, suffix?: string) {
  return `${checkoutId}.a${attempt}.${kind}${suffix === undefined ? '' : `.${suffix}`}`;
}

/** The outbox entries of `kinds` for a checkout's payment attempt, due now. */
export function buildEffects(kinds: readonly EffectKind[], ctx: EffectContext): DueEffect[] {
  return kinds.flatMap((kind) =>
    REQUESTS[kind](ctx).map(({ suffix, ...request }) => {
      const effect: OutboxEffect = {
        id: effectId(ctx.checkout.id, ctx.payment.attempt, kind, suffix),
        tenant: ctx.checkout.tenant,
        kind,
        provider: providerOf(kind),
        checkoutId: ctx.checkout.id,
        attempt: ctx.payment.attempt,
        paymentId: ctx.payment.paymentId,
        method: 'POST',
        ...request,
        correlationId: ctx.correlationId,
        createdAtMs: ctx.nowMs,
      };
      // A webhook body names its own event id, the same one sent as Webhook-Id.
      if (kind === 'webhook') effect.body = { id: effect.id, ...(effect.body as object) };
      return { effect, dueMs: ctx.nowMs };
    }),
  );
}
