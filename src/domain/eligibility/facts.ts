import type { EvaluationContext } from '../context.js';
import type { PolicyDomain, PolicyIndex, PolicyResolution } from '../policy.js';
import { type FactState, factState, type ProductFacts } from '../truth.js';

/**
 * Everything the eligibility checks may look at, gathered once per product and context before
 * any rule runs. Checks are functions of these facts only: no lookups mid-evaluation.
 */
export interface EligibilityFacts {
  product: ProductFacts;
  context: EvaluationContext;
  nowMs: number;
  price: FactState;
  inventory: FactState;
  requiredPolicyDomains: readonly PolicyDomain[];
  policy(domain: PolicyDomain): PolicyResolution;
}

export function gatherFacts(
  product: ProductFacts,
  policies: PolicyIndex,
  context: EvaluationContext,
  nowMs: number,
  requiredPolicyDomains: readonly PolicyDomain[],
): EligibilityFacts {
  return {
    product,
    context,
    nowMs,
    price: factState(product.price, nowMs),
    inventory: factState(product.inventory, nowMs),
    requiredPolicyDomains,
    policy: (domain) => policies.resolve(domain, product.category, context, nowMs),
  };
}
