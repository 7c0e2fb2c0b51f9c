import { describe, expect, it } from 'vitest';
import {
  addMoney,
  CURRENCY_EXPONENTS,
  type CurrencyCode,
  CurrencyMismatchError,
  formatMinorUnits,
  MoneySchema,
  multiplyMoney,
} from '../../src/domain/money.js';

describe('formatMinorUnits', () => {
  const CASES: [number, CurrencyCode, string][] = [
    [12900, 'EUR', '129.00'],
    [12900, 'JPY', '12900'],
    [12900, 'KWD', '12.900'],
    [5, 'EUR', '0.05'],
    [50, 'EUR', '0.50'],
    [0, 'EUR', '0.00'],
    [7, 'KWD', '0.007'],
    [0, 'JPY', '0'],
    [Number.MAX_SAFE_INTEGER, 'USD', '90071992547409.91'],
  ];

  it.each(CASES)('formats %i %s as %s', (amount, currency, text) => {
    expect(formatMinorUnits({ amount, currency })).toBe(text);
  });

  it('gives every supported currency as many decimals as its exponent', () => {
    for (const [currency, exponent] of Object.entries(CURRENCY_EXPONENTS) as [
      CurrencyCode,
      number,
    ][]) {
      const text = formatMinorUnits({ amount: 123456, currency });
      expect(text.split('.')[1]?.length ?? 0).toBe(exponent);
      expect(Number(text.replace('.', ''))).toBe(123456);
    }
  });
});

describe('addMoney', () => {
  it('adds amounts in one currency', () => {
    expect(addMoney({ amount: 12900, currency: 'EUR' }, { amount: 5, currency: 'EUR' })).toEqual({
      amount: 12905,
      currency: 'EUR',
    });
  });

  describe('when the currencies differ', () => {
    it('refuses with a CurrencyMismatchError', () => {
      expect(() =>
        addMoney({ amount: 100, currency: 'EUR' }, { amount: 100, currency: 'USD' }),
      ).toThrow(CurrencyMismatchError);
      expect(() =>
        addMoney({ amount: 100, currency: 'EUR' }, { amount: 100, currency: 'USD' }),
      ).toThrow('cannot combine EUR and USD');
    });
  });
});

describe('multiplyMoney', () => {
  it('multiplies by a whole quantity', () => {
    expect(multiplyMoney({ amount: 12900, currency: 'EUR' }, 3)).toEqual({
      amount: 38700,
      currency: 'EUR',
    });
  });

  it.each([1.5, -1, Number.NaN])('refuses quantity %s', (quantity) => {
    expect(() => multiplyMoney({ amount: 1, currency: 'EUR' }, quantity)).toThrow(RangeError);
  });
});

describe('MoneySchema', () => {
  it('accepts an integer amount in minor units of a supported currency', () => {
    expect(MoneySchema.parse({ amount: 12900, currency: 'EUR' })).toEqual({
      amount: 12900,
      currency: 'EUR',
    });
  });

  const REFUSED: [string, unknown, string][] = [
    ['a float amount', { amount: 129.5, currency: 'EUR' }, 'amount'],
    ['a negative amount', { amount: -1, currency: 'EUR' }, 'amount'],
    ['an unsafe integer', { amount: 2 ** 53, currency: 'EUR' }, 'amount'],
    ['a numeric string', { amount: '12900', currency: 'EUR' }, 'amount'],
    ['an unknown currency', { amount: 100, currency: 'XYZ' }, 'currency'],
    ['a lower-case currency', { amount: 100, currency: 'eur' }, 'currency'],
    ['a missing currency', { amount: 100 }, 'currency'],
  ];

  describe.each(REFUSED)('when given %s', (_name, input, field) => {
    it(`refuses it at ${field}`, () => {
      const result = MoneySchema.safeParse(input);
      expect(result.success).toBe(false);
      const paths = new Set(result.error?.issues.map((issue) => issue.path.join('.')));
      expect([...paths]).toEqual([field]);
    });
  });
});
