import { z } from 'zod';

/**
 * ISO 4217 minor-unit exponents for the currencies we accept. Amounts are always integers in
 * minor units: 12900 EUR is €129.00, 12900 JPY is ¥12,900, 12900 KWD is 12.900 KD.
 */
// biome-ignore format: the table reads better packed, one row per line of the alphabet
export const CURRENCY_EXPONENTS = {
  AED: 2, AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2,
  HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3, MXN: 2, MYR: 2,
  NOK: 2, NZD: 2, OMR: 3, PHP: 2, PLN: 2, RON: 2, SAR: 2, SEK: 2, SGD: 2, THB: 2, TND: 3, TRY: 2,
  TWD: 2, UGX: 0, USD: 2, VND: 0, ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export const CurrencyCodeSchema = z
  .string()
  .refine((code): code is CurrencyCode => Object.hasOwn(CURRENCY_EXPONENTS, code), {
    message: 'must be a supported ISO 4217 currency code (upper case, e.g. EUR)',
  });

export const MoneySchema = z.object({
  /** Integer amount in the currency's minor unit. */
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  currency: CurrencyCodeSchema,
});
export type Money = z.infer<typeof MoneySchema>;

export function currencyExponent(currency: CurrencyCode): number {
  return CURRENCY_EXPONENTS[currency];
}

/** `{12900, EUR}` → `"129.00"`; exact for every integer amount (no floating point). */
export function formatMinorUnits(money: Money): string {
  const exponent = currencyExponent(money.currency as CurrencyCode);
  const digits = String(money.amount).padStart(exponent + 1, '0');
  if (exponent === 0) return digits;
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

export class CurrencyMismatchError extends Error {
  constructor(a: string, b: string) {
    super(`cannot combine ${a} and ${b}`);
    this.name = 'CurrencyMismatchError';
  }
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return { amount: a.amount + b.amount, currency: a.currency };
}

export function multiplyMoney(money: Money, quantity: number): Money {
  if (!Number.isInteger(quantity) || quantity < 0)
    throw new RangeError('quantity must be a non-negative integer');
  return { amount: money.amount * quantity, currency: money.currency };
}
