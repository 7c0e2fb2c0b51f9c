import { createHash } from 'node:crypto';
import { type CommerceAction, type DecisionResult, mostSevere } from '../actions.js';
import type { AuthorityRequest } from '../authority.js';
import type { Blocker } from '../blockers.js';
import type { EvaluationContext } from '../context.js';
import type { EvidenceRef } from '../decision.js';
import {
  decisionFor,
  type EvaluationOptions,
  evaluateProduct,
  unknownProductProfile,
} from '../eligibility/evaluate.js';
import { canonicalJson, type PolicyIndex } from '../policy.js';
import { toInstant } from '../time.js';
import type { ProductFacts } from '../truth.js';
import type { CheckoutLine, TransitionDecision } from './record.js';

/**
 * The domain's decision for a checkout, from the CURRENT facts of each line's product at the
 * transition's `now` — never from a cached profile. A checkout is allowed only when every line
 * is: the lines' results combine by severity, their blockers and evidence are kept once each.
 */

/** The current facts of a checkout's products, as the service loaded them for one transition. */
export interface LineFacts {
  products: ReadonlyMap<string, ProductFacts | undefined>;
  policies: PolicyIndex;
}

export function decideLines(
  action: CommerceAction,
  productIds: readonly string[],
  facts: LineFacts,
  context: EvaluationContext,
  nowMs: number,
  options: EvaluationOptions,
  authority?: AuthorityRequest,
): TransitionDecision {
  const blockers = new Map<string, Blocker>();
  const evidence = new Map<string, EvidenceRef>();
  const results: DecisionResult[] = [];
  for (const productId of new Set(productIds)) {
    const product = facts.products.get(productId);
    const profile =
      product === undefined
        ? unknownProductProfile(productId, context, nowMs)
        : evaluateProduct(product, facts.policies, context, nowMs, options, authority);
    const decision = decisionFor(profile, action);
    if (decision === undefined) continue;
    results.push(decision.result);
    for (const b of decision.blockers) blockers.set(`${b.code}|${b.message}`, b);
    for (const ref of decision.evidenceRefs) evidence.set(`${ref.type}|${ref.id}`, ref);
  }
  return {
    action,
    result: mostSevere(results),
    blockers: [...blockers.values()],
    evidenceRefs: [...evidence.values()],
    evaluatedAt: toInstant(nowMs),
  };
}

/** Lines re-priced from the current price facts; a line whose product has no price keeps its own. */
export function repriceLines(lines: readonly CheckoutLine[], facts: LineFacts): CheckoutLine[] {
  return lines.map((line) => {
    const price = facts.products.get(line.productId)?.price;
    return price === undefined
      ? line
      : { ...line, unitPrice: { amount: price.amount, currency: price.currency } };
  });
}

/** What a mandate's cart snapshot hash is checked against: the lines and total, canonically. */
export function cartSnapshotHash(lines: readonly CheckoutLine[], total: unknown): string {
  const canonical = canonicalJson({
    lines: lines.map(({ productId, sku, quantity, unitPrice }) => ({
      productId,
      sku,
      quantity,
      unitPrice,
    })),
    total,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
