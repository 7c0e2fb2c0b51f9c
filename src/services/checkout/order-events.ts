import type { WebhookProfile } from '../../providers/webhook-signature.js';
import type { CheckoutRecord, PaymentRecord } from './checkout-record.js';

/**
 * Where the order events of the effect chain (`order_created`, `order_updated`) go: each sink is
 * one agent platform with its own wire format. The sink's `body` is the protocol's projection of
 * the order (an adapter's, handed in by the wiring, since services import no adapter); it is
 * built once, when the effect is written, and every retry sends those bytes again.
 */
export type OrderEventName = 'created' | 'updated';

/** The order as it stands when the event is written: the checkout that became it, its payment. */
export interface OrderSnapshot {
  event: OrderEventName;
  checkout: CheckoutRecord;
  payment: PaymentRecord;
  nowMs: number;
}

export interface OrderEventSink {
  /** Stable and unique among sinks; part of each effect id. */
  id: string;
  url: string;
  profile: WebhookProfile;
  body(order: OrderSnapshot): unknown;
}
