import type { CommerceDecision } from './decision.js';
import { canonicalJson, type PolicyDomain, type PolicyFact } from './policy.js';
import { isAllowed } from './projections.js';

/**
 * The policy terms a surface may quote, and where they come from. Terms are never worked out
 * by a surface: they are the stored policy facts the domain's quote_policy decision cites, and
 * only when that decision is allowed. A blocked (or review, or revalidation) decision quotes
 * nothing, so no surface can fill the gap with terms of its own.
 */
export interface PolicyQuote {
  domain: PolicyDomain;
  /** the facts' terms as stored; every cited fact states the same terms (else: a conflict) */
  terms: Record<string, unknown>;
  /** the facts the terms come from, as the decision cites them */
  policies: { id: string; version: number; source: string }[];
}

/** How a decision cites a policy fact (`evidenceRefs[].id` of type `policy_fact`). */
export function policyEvidenceId(fact: Pick<PolicyFact, 'id' | 'version'>): string {
  return `${fact.id}@v${fact.version}`;
}

/** The ids of the policy facts a decision cites (ids cannot hold `@`, so the split is exact). */
export function citedPolicyIds(decision: CommerceDecision): string[] {
  return decision.evidenceRefs
    .filter((ref) => ref.type === 'policy_fact')
    .map((ref) => ref.id.slice(0, ref.id.lastIndexOf('@v')));
}

/**
 * The terms an allowed quote decision stands on, from `facts` (the stored policy facts, read
 * after the decision). Undefined when the decision is not an allowed quote of one domain, or
 * when `facts` are not exactly the versions it cites (they changed since): then there is nothing
 * that may be quoted from this decision, and the caller asks the domain again.
 */
export function quotableTerms(
  decision: CommerceDecision | undefined,
  facts: readonly PolicyFact[],
): PolicyQuote | undefined {
  if (decision === undefined || decision.action !== 'quote_policy') return undefined;
  const domain = decision.policyDomain;
  if (domain === undefined || !isAllowed(decision)) return undefined;
  const cited = decision.evidenceRefs.filter((ref) => ref.type === 'policy_fact');
  if (cited.length === 0) return undefined;
  const used: PolicyFact[] = [];
  for (const ref of cited) {
    const fact = facts.find((f) => policyEvidenceId(f) === ref.id);
    if (fact === undefined || fact.domain !== domain) return undefined;
    used.push(fact);
  }
  const [first] = used as [PolicyFact, ...PolicyFact[]];
  const key = canonicalJson(first.terms);
  if (used.some((fact) => canonicalJson(fact.terms) !== key)) return undefined;
  return {
    domain,
    terms: first.terms,
    policies: used.map((fact) => ({ id: fact.id, version: fact.version, source: fact.source })),
  };
}
