import { z } from 'zod';

/**
 * A GTIN as product feeds take it: exactly 8, 12, 13 or 14 digits (leading zeros kept, so a
 * string) whose last digit is the GS1 check digit. From the rightmost digit before the check
 * digit leftwards, digits weigh 3, 1, 3, …; the check digit brings the sum to a multiple of 10.
 */
export function isValidGtin(value: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(value)) return false;
  let sum = 0;
  for (let i = value.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += Number(value[i]) * weight;
  }
  return (10 - (sum % 10)) % 10 === Number(value.at(-1));
}

export const GtinSchema = z.string().refine(isValidGtin, {
  message: 'GTIN: 8, 12, 13 or 14 digits with a valid check digit, no spaces or dashes',
});
