import { describe, expect, it } from 'vitest';
import { payableTotal } from '../../src/domain/index.js';
import { preparedBackpackCheckout } from '../helpers/checkout-fixtures.js';

describe('payableTotal', () => {
  it('is the prepared total of a checkout ready for payment', () => {
    expect(payableTotal(preparedBackpackCheckout())).toEqual({ amount: 25800, currency: 'EUR' });
  });

  it.each(['cart_open', 'completing', 'completed', 'canceled', 'expired'] as const)(
    'is nothing while the checkout is %s',
    (state) => {
      expect(payableTotal(preparedBackpackCheckout({ state }))).toBeUndefined();
    },
  );

  it('is nothing without a prepared total', () => {
    expect(payableTotal(preparedBackpackCheckout({ preparedTotal: null }))).toBeUndefined();
  });
});
