import type { EvaluationContext } from '../context.js';
import type { EvidenceRef } from '../decision.js';
import type { PolicyDomain, PolicyIndex, PolicyResolution, PolicyScope } from '../policy.js';
import { type FactState, factEvidenceId, factState, type ProductFacts } from '../truth.js';

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
  /** The evidence citing the product's price or inventory observation; undefined when missing. */
  truthRef(which: 'price' | 'inventory'): EvidenceRef | undefined;
}

/**
 * Several rows of several actions ask for the same resolution and the same citation, so each is
 * worked out once per product and context. A class rather than an object literal with closures:
 * under tsx every closure is wrapped in a name-setting helper, which showed in the profile.
 */
class GatheredFacts implements EligibilityFacts {
  readonly product: ProductFacts;
  readonly context: EvaluationContext;
  readonly nowMs: number;
  readonly price: FactState;
  readonly inventory: FactState;
  readonly requiredPolicyDomains: readonly PolicyDomain[];
  private readonly policies: PolicyScope;
  private priceRef: EvidenceRef | undefined;
  private inventoryRef: EvidenceRef | undefined;

  constructor(
    product: ProductFacts,
    policies: PolicyIndex,
    context: EvaluationContext,
    nowMs: number,
    requiredPolicyDomains: readonly PolicyDomain[],
  ) {
    this.product = product;
    this.policies = policies.scope(product.category, context, nowMs);
    this.context = context;
    this.nowMs = nowMs;
    this.requiredPolicyDomains = requiredPolicyDomains;
    this.price = factState(product.price, nowMs);
    this.inventory = factState(product.inventory, nowMs);
  }

  policy(domain: PolicyDomain): PolicyResolution {
    return this.policies.resolve(domain);
  }

  truthRef(which: 'price' | 'inventory'): EvidenceRef | undefined {
    const fact = this.product[which];
    if (fact === undefined) return undefined;
    if (which === 'price') {
      this.priceRef ??= {
        type: 'commercial_truth',
        id: factEvidenceId(this.product.id, which, fact.observedAt),
      };
      return this.priceRef;
    }
    this.inventoryRef ??= {
      type: 'commercial_truth',
      id: factEvidenceId(this.product.id, which, fact.observedAt),
    };
    return this.inventoryRef;
  }
}

export function gatherFacts(
  product: ProductFacts,
  policies: PolicyIndex,
  context: EvaluationContext,
  nowMs: number,
  requiredPolicyDomains: readonly PolicyDomain[],
): EligibilityFacts {
  return new GatheredFacts(product, policies, context, nowMs, requiredPolicyDomains);
}
