import { type CheckoutState, toInstant } from '../../domain/index.js';
import type { OrderEventSink, OrderSnapshot } from '../../services/checkout/order-events.js';

/**
 * The order events of the effect chain as ACP's `WebhookEvent`
 * (openapi.agentic_checkout_webhook.yaml): `order_create` / `order_update` with the FULL `Order`
 * in `data` ("not incremental deltas"), each a projection of the checkout record as it stands
 * when the event is written. Which events happen, and when, is the effect chain's.
 */

const EVENT_TYPES = { created: 'order_create', updated: 'order_update' } as const;

/**
 * `Order.status` for the checkout's state. An order exists only once its capture completed the
 * checkout, so `completed` is the only state an event shows: confirmed (paid). The domain tracks
 * no fulfillment, so shipped/completed are never claimed.
 */
const ORDER_STATUS: Partial<Record<CheckoutState, string>> = { completed: 'confirmed' };

export interface AcpOrderEventOptions {
  /** The platform's order-events endpoint (ACP_WEBHOOK_URL). */
  url: string;
  /** `Order.permalink_url` with `{order_id}` (ACP_ORDER_URL_TEMPLATE). */
  permalinkTemplate: string;
}

export function acpOrderEvent(
  { event, checkout, payment, nowMs }: OrderSnapshot,
  permalinkTemplate: string,
) {
  const orderId = checkout.orderId ?? checkout.id;
  const lineItems = checkout.lines.map((line) => ({
    id: line.sku,
    title: line.title,
    product_id: line.productId,
    quantity: { ordered: line.quantity, current: line.quantity, fulfilled: 0 },
    unit_price: line.unitPrice.amount,
    subtotal: line.unitPrice.amount * line.quantity,
    // The spec's derivation: nothing fulfilled of a current quantity is `processing`.
    status: 'processing',
  }));
  const subtotal = lineItems.reduce((sum, line) => sum + line.subtotal, 0);
  const refunded = payment.refundedAmount;
  const totals = [
    { type: 'subtotal', display_text: 'Subtotal', amount: subtotal },
    // "The 'total' entry is always the original charged amount."
    { type: 'total', display_text: 'Total', amount: payment.amount.amount },
  ];
  if (refunded > 0)
    totals.push({ type: 'amount_refunded', display_text: 'Refunded', amount: refunded });
  const data = {
    type: 'order',
    id: orderId,
    checkout_session_id: checkout.id,
    permalink_url: permalinkTemplate.replaceAll('{order_id}', encodeURIComponent(orderId)),
    status: ORDER_STATUS[checkout.state] ?? checkout.state,
    line_items: lineItems,
    // The record keeps the refunded amount, not each refund: one adjustment carries them all.
    adjustments:
      refunded > 0
        ? [
            {
              id: `${orderId}.refunds`,
              type: 'refund',
              occurred_at: toInstant(nowMs),
              status: 'completed',
              amount: refunded,
              currency: payment.amount.currency.toLowerCase(),
            },
          ]
        : [],
    totals,
  };
  return { type: EVENT_TYPES[event], data };
}

/** The ACP platform as a destination of order events, signed the ACP way. */
export function acpOrderEventSink(options: AcpOrderEventOptions): OrderEventSink {
  return {
    id: 'acp',
    url: options.url,
    profile: 'acp',
    body: (order) => acpOrderEvent(order, options.permalinkTemplate),
  };
}
