import { CURRENCY_EXPONENTS, type CurrencyCode } from '../../domain/index.js';
import { refuse } from './failures.js';
import { lineItemsMet } from './max-flow.js';
import { RECURRENCE_SPACING_MS } from './reuse.js';
import { isObject, type Json, type JsonObject, sameJson } from './sd-jwt.js';

/**
 * The constraints of open mandates (checkout_mandate.md and payment_mandate.md), as a table:
 * each type → how it is evaluated against the closed mandate. "Any unknown Constraints MUST be
 * treated as failing evaluation" (agent_authorization.md): a type not in the table is refused.
 * An evaluator answers undefined when met, else what is violated.
 */

export interface ConstraintSubject {
  /** The closed mandate's content. */
  closed: JsonObject;
  /** The checkout we signed (the checkout JWT's payload). */
  checkout: JsonObject;
  /** Us, the merchant and payee. */
  merchant: { id: string; name: string; website?: string };
  /** sd_hash of the open checkout mandate (what payment.reference names). */
  openCheckoutHash?: string;
}

type Evaluator = (constraint: JsonObject, subject: ConstraintSubject) => string | undefined;

/** merchant.json equality as the SDK does it: by id when both have one, else name and website. */
function merchantMatches(
  candidate: Json,
  target: { id?: string; name?: string; website?: string },
) {
  if (!isObject(candidate)) return false;
  if (typeof candidate.id === 'string' && target.id !== undefined)
    return candidate.id === target.id;
  return (
    typeof candidate.name === 'string' &&
    candidate.name === target.name &&
    typeof candidate.website === 'string' &&
    candidate.website === target.website
  );
}

function listOf(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function amountOf(closed: JsonObject): { amount: number; currency: string } | undefined {
  const money = closed.payment_amount;
  if (!isObject(money) || typeof money.amount !== 'number' || typeof money.currency !== 'string')
    return undefined;
  return { amount: money.amount, currency: money.currency.toUpperCase() };
}

/** A budget's `max` is in major units (a number); ours are minor units of the currency. */
function minorUnits(major: number, currency: string): number | undefined {
  const exponent = CURRENCY_EXPONENTS[currency as CurrencyCode];
  return exponent === undefined ? undefined : Math.round(major * 10 ** exponent);
}

function checkoutQuantities(checkout: JsonObject): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const line of listOf(checkout.line_items)) {
    if (!isObject(line) || !isObject(line.item) || typeof line.item.id !== 'string') continue;
    const quantity = typeof line.quantity === 'number' ? line.quantity : 0;
    quantities.set(line.item.id, (quantities.get(line.item.id) ?? 0) + quantity);
  }
  return quantities;
}

export const CONSTRAINT_EVALUATORS: Readonly<Record<string, Evaluator>> = {
  'checkout.allowed_merchants': (constraint, { merchant }) =>
    listOf(constraint.allowed).some((allowed) => merchantMatches(allowed, merchant))
      ? undefined
      : `merchant ${merchant.id} is not among the allowed merchants disclosed`,
  'checkout.line_items': (constraint, { checkout }) => {
    const requirements = listOf(constraint.items).map((entry) => ({
      quantity: isObject(entry) && typeof entry.quantity === 'number' ? entry.quantity : 0,
      acceptable: isObject(entry)
        ? listOf(entry.acceptable_items).flatMap((item) =>
            isObject(item) && typeof item.id === 'string' ? [item.id] : [],
          )
        : [],
    }));
    return lineItemsMet(requirements, checkoutQuantities(checkout))
      ? undefined
      : 'the checkout items do not match the line items the mandate allows';
  },
  'payment.amount_range': (constraint, { closed }) => {
    const amount = amountOf(closed);
    if (amount === undefined) return 'the closed payment mandate names no payment_amount';
    if (
      typeof constraint.currency === 'string' &&
      constraint.currency.toUpperCase() !== amount.currency
    )
      return `the payment is in ${amount.currency}, the range in ${constraint.currency}`;
    if (typeof constraint.min === 'number' && amount.amount < constraint.min)
      return `${amount.amount} is below the minimum ${constraint.min}`;
    if (typeof constraint.max !== 'number' || amount.amount > constraint.max)
      return `${amount.amount} is above the maximum ${String(constraint.max)}`;
    return undefined;
  },
  'payment.allowed_payees': (constraint, { closed }) =>
    isObject(closed.payee) &&
    listOf(constraint.allowed).some((allowed) =>
      merchantMatches(allowed, closed.payee as { id?: string; name?: string; website?: string }),
    )
      ? undefined
      : 'the payee is not among the allowed payees disclosed',
  'payment.reference': (constraint, { openCheckoutHash }) =>
    openCheckoutHash !== undefined && constraint.conditional_transaction_id === openCheckoutHash
      ? undefined
      : 'the payment mandate references another open checkout mandate',
  // This payment must fit the budget on its own; with the earlier payments closed from the same
  // open mandate it is checked and counted by the payment transition (reuse.ts).
  'payment.budget': (constraint, { closed }) => {
    const amount = amountOf(closed);
    const currency =
      typeof constraint.currency === 'string' ? constraint.currency.toUpperCase() : '';
    if (amount === undefined || amount.currency !== currency)
      return `the payment is not in the budget's currency ${currency}`;
    const max =
      typeof constraint.max === 'number' ? minorUnits(constraint.max, currency) : undefined;
    return max !== undefined && amount.amount <= max
      ? undefined
      : `${amount.amount} exceeds the budget ${String(constraint.max)} ${currency}`;
  },
  // A first use fits any recurrence that allows one; how many and how often across payments is
  // checked and counted by the payment transition (reuse.ts).
  'payment.agent_recurrence': (constraint) => {
    if (RECURRENCE_SPACING_MS[String(constraint.frequency)] === undefined)
      return `the frequency ${JSON.stringify(constraint.frequency)} is not one AP2 defines`;
    return typeof constraint.max_occurrences === 'number' && constraint.max_occurrences < 1
      ? 'the recurrence allows no occurrence'
      : undefined;
  },
  'payment.allowed_payment_instruments': (constraint, { closed }) => {
    const instrument = closed.payment_instrument;
    return isObject(instrument) &&
      listOf(constraint.allowed).some(
        (allowed) => isObject(allowed) && allowed.id === instrument.id,
      )
      ? undefined
      : 'the payment instrument is not among the allowed ones';
  },
  'payment.allowed_pisps': (constraint, { closed }) =>
    isObject(closed.pisp) &&
    listOf(constraint.allowed).some((allowed) => sameJson(allowed, closed.pisp))
      ? undefined
      : 'the payment initiation service provider is not allowed',
  'payment.execution_date': (constraint, { closed }) => {
    const date = closed.execution_date;
    if (typeof date !== 'string') return undefined;
    if (typeof constraint.not_before === 'string' && date < constraint.not_before)
      return `execution ${date} is before ${constraint.not_before}`;
    if (typeof constraint.not_after === 'string' && date > constraint.not_after)
      return `execution ${date} is after ${constraint.not_after}`;
    return undefined;
  },
};

/** Evaluates every constraint of an open mandate; the first violation refuses. */
export function evaluateConstraints(open: JsonObject, subject: ConstraintSubject, label: string) {
  for (const constraint of listOf(open.constraints)) {
    if (!isObject(constraint) || typeof constraint.type !== 'string')
      refuse('malformed', `${label}: a constraint has no type`);
    const evaluate = CONSTRAINT_EVALUATORS[constraint.type];
    if (evaluate === undefined)
      refuse(
        'unknown_constraint',
        `${label}: constraint type ${constraint.type} is not one we can evaluate`,
      );
    const violation = evaluate(constraint, subject);
    if (violation !== undefined)
      refuse('constraint_violated', `${label}: ${constraint.type}: ${violation}`);
  }
}
