import type { Money } from '../money.js';

/** A cart line as priced from the product's price fact at the time of the transition. */
export interface PricedLine {
  productId: string;
  quantity: number;
  unitPrice: Money;
}

export type CartTotal =
  | { ok: true; total: Money }
  | { ok: false; code: 'CART_EMPTY' }
  | {
      ok: false;
      code: 'CART_CURRENCY_MIXED';
      productId: string;
      currency: string;
      cartCurrency: string;
    };

/**
 * The cart total: the sum of unit price × quantity, in integer minor units. All lines must share
 * one currency; a cart never converts.
 */
export function cartTotal(lines: readonly PricedLine[]): CartTotal {
  const first = lines[0];
  if (first === undefined) return { ok: false, code: 'CART_EMPTY' };
  const currency = first.unitPrice.currency;
  let amount = 0;
  for (const line of lines) {
    if (line.unitPrice.currency !== currency) {
      return {
        ok: false,
        code: 'CART_CURRENCY_MIXED',
        productId: line.productId,
        currency: line.unitPrice.currency,
        cartCurrency: currency,
      };
    }
    amount += line.unitPrice.amount * line.quantity;
  }
  if (!Number.isSafeInteger(amount)) throw new RangeError('cart total exceeds safe integer range');
  return { ok: true, total: { amount, currency } };
}

/** True when the total re-priced now is the one the checkout was prepared at. */
export function sameAmount(a: Money, b: Money): boolean {
  return a.amount === b.amount && a.currency === b.currency;
}
