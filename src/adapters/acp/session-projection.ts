import { type CheckoutRecord, cartTotal, multiplyMoney } from '../../domain/index.js';

export { blockersOf } from '../../services/checkout/checkout-session-steps.js';

import {
  type AcpMessageError,
  messagesOfBlockers,
  PAYMENT_STOPPED,
  type SessionBlocker,
} from './session-messages.js';
import { type AcpSessionStatus, sessionStatusOf } from './session-status.js';
import { ACP_PROTOCOL_VERSION } from './session-version.js';

/**
 * The ACP `CheckoutSession` (2026-04-17) of one checkout record: a projection, nothing decided
 * here. Lines, totals in minor units and the status come from the record (the domain's cart
 * arithmetic and state); `messages[]` from the blockers of the decisions the request was
 * answered on, and from the reason the last payment attempt stopped, when the merchant knows it.
 */

/**
 * The one fulfillment option offered. The domain keeps shipping *policies* (where the merchant
 * ships), not rates, so the option costs nothing beyond the item prices and no delivery window
 * is promised; whether shipping to the buyer's region is covered is a blocker of the decision.
 */
export const STANDARD_SHIPPING = {
  type: 'shipping',
  id: 'standard_shipping',
  title: 'Standard shipping',
  totals: [{ type: 'total', display_text: 'Shipping', amount: 0 }],
} as const;

/** The demo and test catalogs price in EUR; a session without lines says so. */
const FALLBACK_CURRENCY = 'eur';

export interface SessionInput {
  checkout: CheckoutRecord;
  /** What this answer was decided on, with the product each blocker is about where known. */
  blockers?: readonly SessionBlocker[];
  /** Messages about the request itself that no decision was asked about (an unknown token). */
  requestMessages?: readonly AcpMessageError[];
  /** The currency the agent asked for: the session's until a line is priced. */
  requestedCurrency?: string;
  /** `Order.permalink_url` of an order id. */
  permalinkOf(orderId: string): string;
}

interface Total {
  type: string;
  display_text: string;
  amount: number;
}

function total(type: string, display_text: string, amount: number): Total {
  return { type, display_text, amount };
}

function orderOf(checkout: CheckoutRecord, permalinkOf: (orderId: string) => string) {
  const orderId = checkout.orderId as string;
  return {
    type: 'order',
    id: orderId,
    checkout_session_id: checkout.id,
    permalink_url: permalinkOf(orderId),
    // An order exists once its capture completed the checkout: paid, nothing shipped yet.
    status: 'confirmed',
  };
}

export function projectSession(input: SessionInput) {
  const { checkout } = input;
  const lineIndex = new Map(checkout.lines.map((line, index) => [line.productId, index]));
  const priced = cartTotal(checkout.lines);
  // The cart's currency is its lines' (the domain never converts). A session without a line has
  // none: the one the agent asked for when this answer has it, else the merchant's catalog's.
  const currency = (
    priced.ok ? priced.total.currency : (input.requestedCurrency ?? FALLBACK_CURRENCY)
  ).toLowerCase();
  const itemsAmount = priced.ok ? priced.total.amount : 0;
  const lastFailure = checkout.lastFailure?.blocker;
  const blockers = [
    ...(input.blockers ?? []),
    ...(lastFailure === undefined ? [] : [{ blocker: lastFailure }]),
  ];
  const status: AcpSessionStatus = sessionStatusOf(checkout.state);
  const session = {
    id: checkout.id,
    protocol: { version: ACP_PROTOCOL_VERSION },
    capabilities: {},
    status,
    currency,
    line_items: checkout.lines.map((line) => {
      const amount = multiplyMoney(line.unitPrice, line.quantity).amount;
      return {
        id: line.productId,
        item: { id: line.productId },
        quantity: line.quantity,
        name: line.title,
        unit_amount: line.unitPrice.amount,
        product_id: line.productId,
        sku: line.sku,
        totals: [
          total('items_base_amount', 'Base amount', amount),
          total('subtotal', 'Subtotal', amount),
          total('total', 'Total', amount),
        ],
      };
    }),
    fulfillment_options: [STANDARD_SHIPPING],
    selected_fulfillment_options:
      checkout.lines.length === 0
        ? []
        : [
            {
              type: STANDARD_SHIPPING.type,
              option_id: STANDARD_SHIPPING.id,
              item_ids: checkout.lines.map((line) => line.productId),
            },
          ],
    totals: [
      total('items_base_amount', 'Item(s) total', itemsAmount),
      total('subtotal', 'Subtotal', itemsAmount),
      total('fulfillment', 'Shipping', 0),
      total('total', 'Total', itemsAmount),
    ],
    messages: [
      ...(input.requestMessages ?? []),
      ...(checkout.lastFailure !== null && lastFailure === undefined ? [PAYMENT_STOPPED] : []),
      ...messagesOfBlockers(blockers, (productId) => lineIndex.get(productId)),
    ],
    links: [],
    created_at: checkout.createdAt,
    updated_at: checkout.updatedAt,
  };
  if (checkout.state === 'completed' && checkout.orderId !== null)
    return { ...session, order: orderOf(checkout, input.permalinkOf) };
  return session;
}
export type AcpCheckoutSession = ReturnType<typeof projectSession>;
