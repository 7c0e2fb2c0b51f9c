import { describe, expect, it } from 'vitest';
import { AllowanceSchema } from '../../src/adapters/acp/allowance.js';
import { startPaymentRequestOf } from '../../src/adapters/acp/complete-request.js';
import { allowanceRefOf, mandateOfAllowance } from '../../src/adapters/acp/to-mandate.js';
import { MandateSchema } from '../../src/domain/index.js';

/** The one mapping from an ACP allowance (2026-04-17) to the domain's authority input. */

const ALLOWANCE = {
  reason: 'one_time' as const,
  max_amount: 12_900,
  currency: 'eur',
  checkout_session_id: 'co_abc',
  merchant_id: 'acme',
  expires_at: '2030-01-01T01:00:00.000Z',
};

describe('mandateOfAllowance', () => {
  it('keeps every constraint of the allowance, the currency as ISO 4217 upper case', () => {
    const mandate = mandateOfAllowance(ALLOWANCE);
    expect(MandateSchema.parse(mandate)).toEqual({
      ref: 'acp_allowance:co_abc:2030-01-01T01:00:00.000Z',
      kind: 'acp_allowance',
      merchantId: 'acme',
      checkoutSessionId: 'co_abc',
      maxAmount: { amount: 12_900, currency: 'EUR' },
      expiresAt: '2030-01-01T01:00:00.000Z',
    });
  });

  it.each([
    ['another session', { checkout_session_id: 'co_other' }],
    ['another expiry', { expires_at: '2030-01-01T02:00:00.000Z' }],
  ])('names an allowance for %s differently', (_what, change) => {
    expect(allowanceRefOf({ ...ALLOWANCE, ...change })).not.toBe(allowanceRefOf(ALLOWANCE));
  });

  it('names the mandate by the delegated payment token when one is given', () => {
    expect(mandateOfAllowance(ALLOWANCE, 'vt_123').ref).toBe('vt_123');
  });
});

describe('AllowanceSchema', () => {
  it.each([
    ['an upper-case currency', { currency: 'EUR' }],
    ['an unknown currency', { currency: 'xxx' }],
    ['a reason other than one_time', { reason: 'recurring' }],
    ['a negative amount', { max_amount: -1 }],
  ])('refuses %s', (_what, change) => {
    expect(AllowanceSchema.safeParse({ ...ALLOWANCE, ...change }).success).toBe(false);
  });
});

describe('startPaymentRequestOf', () => {
  it('hands the service the mapped mandate and keeps the body as sent for the fingerprint', () => {
    const body = {
      allowance: ALLOWANCE,
      actor: { actorId: 'agent-7', actorType: 'agent' as const },
      expectedVersion: 3,
    };
    expect(startPaymentRequestOf(body)).toEqual({
      mandate: mandateOfAllowance(ALLOWANCE),
      actor: body.actor,
      expectedVersion: 3,
      asSent: body,
    });
  });
});
