import { type CheckoutRecord, cartTotal, multiplyMoney } from '../../domain/index.js';

/**
 * The UCP order (2026-04-08, `order.json`) of a completed checkout: what was bought, at the
 * prices the domain captured. Nothing ships through this service, so every line is
 * `processing`, nothing is fulfilled, and fulfillment has no expectations or events yet.
 */
export interface OrderInput {
  checkout: CheckoutRecord & { orderId: string };
  ucp: { version: string; capabilities: Record<string, unknown[]> };
  permalinkUrl: string;
}

const totalsOf = (amount: number) => [
  { type: 'subtotal', display_text: 'Subtotal', amount },
  { type: 'total', display_text: 'Total', amount },
];

export function projectUcpOrder(input: OrderInput) {
  const { checkout } = input;
  const priced = cartTotal(checkout.lines);
  if (!priced.ok) throw new Error(`completed checkout ${checkout.id} has no total`);
  return {
    ucp: { ...input.ucp, status: 'success' as const },
    id: checkout.orderId,
    checkout_id: checkout.id,
    permalink_url: input.permalinkUrl,
    currency: priced.total.currency,
    line_items: checkout.lines.map((line) => ({
      id: line.productId,
      item: { id: line.productId, title: line.title, price: line.unitPrice.amount },
      quantity: { original: line.quantity, total: line.quantity, fulfilled: 0 },
      totals: totalsOf(multiplyMoney(line.unitPrice, line.quantity).amount),
      status: 'processing' as const,
    })),
    fulfillment: { expectations: [], events: [] },
    totals: totalsOf(priced.total.amount),
  };
}
export type UcpOrder = ReturnType<typeof projectUcpOrder>;

/** A completed checkout with its order id, or undefined: only such a checkout is an order. */
export function orderCheckout(
  checkout: CheckoutRecord | undefined,
  orderId: string,
): (CheckoutRecord & { orderId: string }) | undefined {
  if (checkout === undefined || checkout.state !== 'completed') return undefined;
  if (checkout.orderId !== orderId) return undefined;
  return checkout as CheckoutRecord & { orderId: string };
}
