import { COMMERCE_ACTIONS, type CommerceAction, type DecisionResult } from './actions.js';
import type { BlockerCode } from './blockers.js';
import type { ProductActionProfile } from './decision.js';
import { decisionFor } from './eligibility/evaluate.js';

/**
 * What a surface may say about a product, as named functions of the domain's decisions. Feeds
 * and protocol adapters call these and map what they return to their own fields; none of them
 * reads a result or a blocker code to work an answer out for itself, so every surface says the
 * same thing (test/architecture/decisions-stay-in-domain.test.ts keeps services and feeds to it).
 *
 * The facts a surface states live beside the facts they come from: the stock it may state is
 * `listedAvailability` and the price `listedPrice` (listing.ts, tables STOCK_FINDINGS and
 * PRICE_FINDINGS), the description `publishableDescription` (truth.ts).
 */

/** Whether a decision lets its action go ahead: only `allowed` does, never a review or a retry. */
export function isAllowed(decision: { result: DecisionResult } | undefined): boolean {
  return decision?.result === 'allowed';
}

/**
 * The result a surface states for an action. A profile without a decision for it (an older
 * ruleset, a partial read) reads as blocked, never as allowed.
 */
export function actionResult(
  profile: ProductActionProfile,
  action: CommerceAction,
): DecisionResult {
  return decisionFor(profile, action)?.result ?? 'blocked';
}

/** Whether the profile allows an action; a missing decision does not. */
export function actionAllowed(profile: ProductActionProfile, action: CommerceAction): boolean {
  return isAllowed(decisionFor(profile, action));
}

/** Whether agents may find the product at all (search, listing in a feed): the discover decision. */
export function searchEligible(profile: ProductActionProfile): boolean {
  return actionAllowed(profile, 'discover');
}

/**
 * Whether a surface may offer the product for checkout ("available", "eligible for checkout"):
 * prepare_checkout, and only with discover, because nothing is offered that cannot be found.
 */
export function checkoutEligible(profile: ProductActionProfile): boolean {
  return searchEligible(profile) && actionAllowed(profile, 'prepare_checkout');
}

/**
 * The blocker codes a surface lists as the reasons behind a profile's actions, each once, in the
 * order the decisions give them. The per-domain quote decisions are left out: they are detail of
 * the overall quote_policy, which already carries the codes of the domains it requires.
 */
export function statedBlockerCodes(profile: ProductActionProfile): BlockerCode[] {
  const codes = new Set<BlockerCode>();
  for (const decision of profile.decisions) {
    if (decision.policyDomain !== undefined) continue;
    if (!COMMERCE_ACTIONS.includes(decision.action)) continue;
    for (const b of decision.blockers) codes.add(b.code);
  }
  return [...codes];
}
