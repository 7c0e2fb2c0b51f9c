import type { CheckoutRecord } from '../../domain/index.js';

/** The merchant as AP2 names it (types/merchant.json). */
export interface Ap2Merchant {
  id: string;
  name: string;
  website?: string;
}

/**
 * The payload of the checkout JWT a mandate binds to. AP2 leaves it to the commerce protocol
 * and says that with UCP it MUST be the Checkout object; we sign the UCP 2026-04-08 checkout
 * (AP2's `ucp/types/checkout.json`, with its `merchant` extension) for every surface, so one
 * mandate format serves them all. Amounts are integer minor units.
 */
export function checkoutClaimsOf(
  checkout: CheckoutRecord,
  merchant: Ap2Merchant,
  expiresAt: string,
): Record<string, unknown> {
  const total = checkout.preparedTotal;
  if (total === null) throw new Error(`checkout ${checkout.id} is not prepared`);
  const subtotalOf = (line: CheckoutRecord['lines'][number]) =>
    line.unitPrice.amount * line.quantity;
  return {
    id: checkout.id,
    merchant,
    status: 'ready_for_complete',
    currency: total.currency,
    line_items: checkout.lines.map((line) => ({
      id: line.productId,
      item: { id: line.productId, title: line.title, price: line.unitPrice.amount },
      quantity: line.quantity,
      totals: [
        { type: 'subtotal', amount: subtotalOf(line) },
        { type: 'total', amount: subtotalOf(line) },
      ],
    })),
    totals: [
      { type: 'subtotal', amount: checkout.lines.reduce((sum, line) => sum + subtotalOf(line), 0) },
      { type: 'total', amount: total.amount },
    ],
    links: [],
    expires_at: expiresAt,
  };
}
