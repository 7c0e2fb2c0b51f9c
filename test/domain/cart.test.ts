import { describe, expect, it } from 'vitest';
import { cartTotal } from '../../src/domain/index.js';

describe('cartTotal', () => {
  it('sums unit price × quantity in minor units', () => {
    expect(
      cartTotal([
        { productId: 'A', quantity: 2, unitPrice: { amount: 12900, currency: 'EUR' } },
        { productId: 'B', quantity: 1, unitPrice: { amount: 99, currency: 'EUR' } },
      ]),
    ).toEqual({ ok: true, total: { amount: 25899, currency: 'EUR' } });
  });

  it('refuses an empty cart with CART_EMPTY', () => {
    expect(cartTotal([])).toEqual({ ok: false, code: 'CART_EMPTY' });
  });

  it('refuses a line in another currency with CART_CURRENCY_MIXED', () => {
    expect(
      cartTotal([
        { productId: 'A', quantity: 1, unitPrice: { amount: 12900, currency: 'EUR' } },
        { productId: 'B', quantity: 1, unitPrice: { amount: 5000, currency: 'USD' } },
      ]),
    ).toEqual({
      ok: false,
      code: 'CART_CURRENCY_MIXED',
      productId: 'B',
      currency: 'USD',
      cartCurrency: 'EUR',
    });
  });
});
