/**
 * delegate_payment request bodies for tests: a valid card (Stripe's public test number) and an
 * allowance that expires `lifetimeMs` after `nowMs`.
 */
export const TEST_PAN = '4242424242424242';
export const TEST_CVC = '987';

export function delegateBody(
  options: { nowMs?: number; lifetimeMs?: number; maxAmount?: number; sessionId?: string } = {},
) {
  const nowMs = options.nowMs ?? Date.now();
  const expiresAt = new Date(nowMs + (options.lifetimeMs ?? 2 * 3_600_000)).toISOString();
  const expiry = new Date(nowMs);
  return {
    payment_method: {
      type: 'card',
      card_number_type: 'fpan',
      number: TEST_PAN,
      exp_month: '12',
      exp_year: String(expiry.getUTCFullYear() + 2),
      name: 'Ada Lovelace',
      cvc: TEST_CVC,
      checks_performed: ['avs', 'cvv'],
      iin: '424242',
      display_card_funding_type: 'credit',
      display_brand: 'visa',
      display_last4: '4242',
      metadata: {},
    },
    allowance: {
      reason: 'one_time',
      max_amount: options.maxAmount ?? 12_900,
      currency: 'eur',
      checkout_session_id: options.sessionId ?? 'cs_delegate_test',
      merchant_id: 'acme',
      expires_at: expiresAt,
    },
    billing_address: {
      name: 'Ada Lovelace',
      line_one: '12 Analytical Row',
      city: 'London',
      state: 'LDN',
      country: 'GB',
      postal_code: 'N1 9GU',
    },
    risk_signals: [{ type: 'card_testing', score: 3, action: 'authorized' }],
    metadata: { campaign: 'test' },
  };
}
