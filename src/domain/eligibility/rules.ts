import type { CommerceAction, DecisionResult } from '../actions.js';
import type { BlockerCode } from '../blockers.js';
import type { CheckName } from './checks.js';

/**
 * Bump whenever a row below changes meaning. Every decision carries it, so "why was this allowed
 * at 10:02?" is answered against the rules in force then. test/domain/rules.test.ts fails when
 * the table changes and this does not.
 */
export const RULESET_VERSION = '2026-11-24.1';

export interface RuleRow {
  check: CheckName;
  /** A warning row never changes the result; it only informs. */
  as?: 'warning';
  /** Severity of a finding for this action; codes not listed use DEFAULT_SEVERITY, then blocked. */
  severity?: Partial<Record<BlockerCode, DecisionResult>>;
}

/** Severity a finding carries unless a row says otherwise. */
export const DEFAULT_SEVERITY: Partial<Record<BlockerCode, DecisionResult>> = {
  POLICY_PENDING_APPROVAL: 'requires_review',
  HUMAN_CONFIRMATION_REQUIRED: 'requires_review',
};

/**
 * Eligibility as data: for each action, the checks it runs and how severe each finding is.
 * quote_policy rows run once per policy domain. delegate_payment adds, outside this table, the
 * prepare_checkout decision and, per request, the authority checks (domain/authority.ts).
 */
export const ELIGIBILITY_RULES = {
  discover: [{ check: 'productActive' }, { check: 'generatedClaimsReviewed', as: 'warning' }],
  compare: [
    { check: 'productActive' },
    { check: 'priceFresh', severity: { PRICE_STALE: 'requires_revalidation' } },
    { check: 'generatedClaimsReviewed', as: 'warning' },
  ],
  quote_policy: [{ check: 'productActive' }, { check: 'policyQuotable' }],
  add_to_cart: [
    { check: 'productActive' },
    { check: 'priceFresh', severity: { PRICE_STALE: 'requires_revalidation' } },
    { check: 'inventoryAvailable', severity: { INVENTORY_STALE: 'requires_revalidation' } },
    { check: 'shippingNotRestricted' },
  ],
  // add_to_cart's facts, stricter: a checkout is never prepared on stale price or stock.
  prepare_checkout: [
    { check: 'productActive' },
    { check: 'priceFresh' },
    { check: 'inventoryAvailable' },
    { check: 'shippingNotRestricted' },
    { check: 'policyCoverage' },
  ],
  delegate_payment: [],
} as const satisfies Record<CommerceAction, readonly RuleRow[]>;
