import {
  CURRENCY_EXPONENTS,
  type CurrencyCode,
  type MandateReuse,
  toInstant,
} from '../../domain/index.js';
import { isObject, type Json, type JsonObject } from './sd-jwt.js';

/**
 * What an open payment mandate allows across payments (payment_mandate.md): `payment.budget`, a
 * total the payments closed from it may not exceed, and `payment.agent_recurrence`, how often
 * and how many times it may be closed. Evaluating them "requires tracking the previous
 * presentations": each constraint here becomes a limit of the mandate's reuse, which the
 * payment transition checks and counts atomically (checkout-commit Lua), at this merchant.
 */

/**
 * The least time between two payments of a recurrence: the shortest such period (a month of 28
 * days, a quarter of 90, a year of 365), so no calendar's payment is refused for coming early.
 */
export const RECURRENCE_SPACING_MS: Readonly<Record<string, number>> = {
  ON_DEMAND: 0,
  DAILY: 86_400_000,
  WEEKLY: 7 * 86_400_000,
  BIWEEKLY: 14 * 86_400_000,
  MONTHLY: 28 * 86_400_000,
  QUARTERLY: 90 * 86_400_000,
  ANNUALLY: 365 * 86_400_000,
};

function constraintOf(open: JsonObject, type: string): JsonObject | undefined {
  const constraints: Json[] = Array.isArray(open.constraints) ? open.constraints : [];
  return constraints.find(
    (constraint): constraint is JsonObject => isObject(constraint) && constraint.type === type,
  );
}

/**
 * The reuse limits of the open payment mandates a payment was closed from, or undefined when
 * none limits reuse. `id` names the open mandate (its token's hash); `amount` is this payment in
 * minor units. A budget in another currency than the payment was already refused by its
 * constraint evaluation. Use is counted until the earliest open mandate's `exp`, else
 * `untilMsWithoutExp`.
 */
export function reuseOf(
  opens: readonly JsonObject[],
  openId: string,
  amount: { amount: number; currency: string },
  untilMsWithoutExp: number,
): MandateReuse | undefined {
  const exps = opens.flatMap((open) => (typeof open.exp === 'number' ? [open.exp * 1000] : []));
  const reuse: MandateReuse = {
    id: openId,
    amount: amount.amount,
    countedUntil: toInstant(exps.length > 0 ? Math.min(...exps) : untilMsWithoutExp),
  };
  for (const open of opens) {
    const budget = constraintOf(open, 'payment.budget');
    const exponent = CURRENCY_EXPONENTS[amount.currency as CurrencyCode];
    if (budget !== undefined && typeof budget.max === 'number' && exponent !== undefined) {
      const max = Math.round(budget.max * 10 ** exponent);
      reuse.budgetMax = Math.min(reuse.budgetMax ?? max, max);
    }
    const recurrence = constraintOf(open, 'payment.agent_recurrence');
    if (recurrence !== undefined) {
      if (typeof recurrence.max_occurrences === 'number')
        reuse.maxUses = Math.min(reuse.maxUses ?? Infinity, recurrence.max_occurrences);
      const spacing = RECURRENCE_SPACING_MS[String(recurrence.frequency)];
      if (spacing !== undefined && spacing > 0)
        reuse.minSpacingMs = Math.max(reuse.minSpacingMs ?? 0, spacing);
    }
  }
  const limited =
    reuse.budgetMax !== undefined ||
    reuse.maxUses !== undefined ||
    reuse.minSpacingMs !== undefined;
  return limited ? reuse : undefined;
}
