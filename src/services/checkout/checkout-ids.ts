import { randomUUID } from 'node:crypto';
import type { CheckoutIds } from '../../domain/index.js';

/**
 * The ids the domain's checkout transitions are handed. A payment attempt's ids and the order id
 * derive from the checkout id, so a replayed or raced transition names the same things.
 */
export const CHECKOUT_IDS: CheckoutIds = {
  checkoutId: () => `co_${randomUUID().replace(/-/g, '')}`,
  correlationId: () => randomUUID(),
  paymentId: (checkoutId, attempt) => `${checkoutId}.p${attempt}`,
  reservationId: (checkoutId, attempt) => `${checkoutId}.r${attempt}`,
  orderId: (checkoutId) => `ord_${checkoutId.replace(/^co_/, '')}`,
};

/** The checkout an order id was derived from (the inverse of `CHECKOUT_IDS.orderId`). */
export function checkoutIdOfOrder(orderId: string): string | undefined {
  return orderId.startsWith('ord_') && orderId.length > 4 ? `co_${orderId.slice(4)}` : undefined;
}
