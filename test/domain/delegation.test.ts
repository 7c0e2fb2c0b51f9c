import { describe, expect, it } from 'vitest';
import type { Mandate } from '../../src/domain/authority.js';
import {
  DELEGATION_CHECKS,
  type DelegationRequest,
  decideDelegation,
  instrumentExpiresAtMs,
} from '../../src/domain/payment/delegation.js';

const NOW = Date.parse('2026-06-28T09:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const mandate = (overrides: Partial<Mandate> = {}): Mandate => ({
  ref: 'vt_test',
  kind: 'acp_allowance',
  merchantId: 'acme',
  checkoutSessionId: 'cs_1',
  maxAmount: { amount: 12_900, currency: 'EUR' },
  expiresAt: '2026-06-28T10:00:00Z',
  ...overrides,
});

const request = (overrides: Partial<DelegationRequest> = {}): DelegationRequest => ({
  mandate: mandate(),
  instrumentExpiry: { month: 11, year: 2027 },
  risk: [{ kind: 'card_testing', recommendation: 'allow' }],
  nowMs: NOW,
  maxLifetimeMs: 30 * DAY,
  ...overrides,
});

const codesOf = (overrides: Partial<DelegationRequest>) =>
  decideDelegation(request(overrides)).blockers.map((found) => found.code);

describe('decideDelegation', () => {
  it('allows a mandate within its limits, valid until the mandate expires, naming it in evidence', () => {
    const outcome = decideDelegation(request());
    expect(outcome).toEqual({
      result: 'allowed',
      blockers: [],
      evidenceRefs: [{ type: 'authority_record', id: 'vt_test' }],
      validUntilMs: Date.parse('2026-06-28T10:00:00Z'),
    });
  });

  it.each([
    [
      'a maximum of zero',
      { mandate: mandate({ maxAmount: { amount: 0, currency: 'EUR' } }) },
      'MANDATE_AMOUNT_NOT_POSITIVE',
    ],
    [
      'a negative maximum',
      { mandate: mandate({ maxAmount: { amount: -1, currency: 'EUR' } }) },
      'MANDATE_AMOUNT_NOT_POSITIVE',
    ],
    [
      'a mandate expiring now',
      { mandate: mandate({ expiresAt: '2026-06-28T09:00:00Z' }) },
      'MANDATE_EXPIRED',
    ],
    [
      'a mandate expired yesterday',
      { mandate: mandate({ expiresAt: '2026-06-27T09:00:00Z' }) },
      'MANDATE_EXPIRED',
    ],
    [
      'a revoked mandate',
      { mandate: mandate({ revokedAt: '2026-06-28T08:00:00Z' }) },
      'MANDATE_REVOKED',
    ],
    ['a mandate beyond the lifetime', { maxLifetimeMs: HOUR - 1 }, 'MANDATE_LIFETIME_TOO_LONG'],
    [
      'an instrument that expired last month',
      { instrumentExpiry: { month: 5, year: 2026 } },
      'INSTRUMENT_EXPIRED',
    ],
    [
      'a blocking risk assessment',
      { risk: [{ kind: 'card_testing', recommendation: 'block' as const }] },
      'RISK_BLOCKED',
    ],
  ])('blocks %s', (_name, overrides, code) => {
    const outcome = decideDelegation(request(overrides));
    expect(outcome.result).toBe('blocked');
    expect(outcome.blockers.map((found) => found.code)).toEqual([code]);
    expect(outcome.validUntilMs).toBeNull();
  });

  it('accepts a mandate expiring exactly at the end of the lifetime', () => {
    expect(codesOf({ maxLifetimeMs: HOUR })).toEqual([]);
  });

  it('keeps an instrument valid through the last day of its expiry month (UTC)', () => {
    expect(instrumentExpiresAtMs({ month: 6, year: 2026 })).toBe(
      Date.parse('2026-07-01T00:00:00Z'),
    );
    expect(instrumentExpiresAtMs({ month: 12, year: 2026 })).toBe(
      Date.parse('2027-01-01T00:00:00Z'),
    );
    expect(codesOf({ instrumentExpiry: { month: 6, year: 2026 } })).toEqual([]);
    expect(
      codesOf({
        instrumentExpiry: { month: 6, year: 2026 },
        nowMs: Date.parse('2026-07-01T00:00:00Z'),
      }),
    ).toContain('INSTRUMENT_EXPIRED');
  });

  it('lets a recommendation to review through (it is judged at payment time)', () => {
    expect(codesOf({ risk: [{ kind: 'card_testing', recommendation: 'review' }] })).toEqual([]);
  });

  it('judges an instrument without an expiry on the mandate alone', () => {
    expect(codesOf({ instrumentExpiry: undefined })).toEqual([]);
  });

  it('ends validity at the instrument expiry when it comes before the mandate', () => {
    const outcome = decideDelegation(
      request({
        mandate: mandate({ expiresAt: '2026-07-02T00:00:00Z' }),
        instrumentExpiry: { month: 6, year: 2026 },
      }),
    );
    expect(outcome.validUntilMs).toBe(Date.parse('2026-07-01T00:00:00Z'));
  });

  it('reports every failed check, not only the first', () => {
    const codes = codesOf({
      mandate: mandate({
        maxAmount: { amount: 0, currency: 'EUR' },
        expiresAt: '2026-01-01T00:00:00Z',
      }),
      instrumentExpiry: { month: 1, year: 2020 },
      risk: [{ kind: 'card_testing', recommendation: 'block' }],
    });
    expect(codes).toEqual([
      'MANDATE_AMOUNT_NOT_POSITIVE',
      'MANDATE_EXPIRED',
      'INSTRUMENT_EXPIRED',
      'RISK_BLOCKED',
    ]);
  });

  it('has one row per code', () => {
    const codes = DELEGATION_CHECKS.map((check) => check.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
