import { z } from 'zod';
import {
  type CommerceAction,
  CommerceActionSchema,
  DECISION_RESULTS,
  type DecisionResult,
  DecisionResultSchema,
} from './actions.js';
import type { ProductActionProfile } from './decision.js';
import { type PolicyDomain, PolicyDomainSchema } from './policy.js';

/**
 * What a surface (profile API, a feed, an A2A task, the readiness page, an MCP result) says
 * about a product, read back from its wire form by the surface's decoder, and how that compares
 * with the domain's own decision. Decoders are the spec of each projection: they say exactly what a
 * surface claims, and this module is the one place that says whether a claim is true.
 */

/**
 * What a surface can claim about one decision: a result, or only `not_allowed` where the
 * protocol can say no more than yes or no (the ACP feed's `available: false`).
 */
export type ClaimedResult = DecisionResult | 'not_allowed';

export interface DecisionClaim {
  action: CommerceAction;
  policyDomain?: PolicyDomain;
  result: ClaimedResult;
  /** the blocker codes it names for this decision; undefined when the surface names none */
  blockers?: readonly string[];
}

/** Everything one surface says about one product in one context. */
export interface SurfaceReading {
  claims: DecisionClaim[];
  /**
   * Blocker codes stated for the product as a whole (the agent feed's `blockers`): the codes of
   * every action decision, policy-domain detail left out; undefined when the surface states none.
   */
  productBlockers?: readonly string[];
}

/**
 * A result stated together with a yes-or-no restatement of it (`allowed`), as the profile API
 * and A2A send both: where the two disagree, the claim is the cautious reading.
 */
export function statedResult(result: DecisionResult, allowed: boolean): ClaimedResult {
  return result === 'allowed' && !allowed ? 'not_allowed' : result;
}

/**
 * A decision as the surfaces that carry it whole state it (the profile API, A2A artifacts): its
 * result and `allowed` both, and its blockers by code.
 */
export const StatedDecisionSchema = z.object({
  action: CommerceActionSchema,
  policyDomain: PolicyDomainSchema.optional(),
  result: DecisionResultSchema,
  allowed: z.boolean(),
  blockers: z.array(z.object({ code: z.string() })),
});

export function claimOfStatedDecision(
  decision: z.infer<typeof StatedDecisionSchema>,
): DecisionClaim {
  const claim: DecisionClaim = {
    action: decision.action,
    result: statedResult(decision.result, decision.allowed),
    blockers: decision.blockers.map((b) => b.code),
  };
  if (decision.policyDomain !== undefined) claim.policyDomain = decision.policyDomain;
  return claim;
}

/**
 * Which domain results each claim is true of. A surface that can say less claims a set; every
 * set is a run of DECISION_RESULTS (least to most severe), so "more optimistic" is well defined.
 */
export const CLAIM_ADMITS: Readonly<Record<ClaimedResult, readonly DecisionResult[]>> = {
  allowed: ['allowed'],
  requires_revalidation: ['requires_revalidation'],
  requires_review: ['requires_review'],
  blocked: ['blocked'],
  not_allowed: ['requires_revalidation', 'requires_review', 'blocked'],
};

/**
 * How a claim compares with the domain's decision:
 * - `agrees`: the domain's result is among what the claim admits (and any blockers it names are
 *   the domain's);
 * - `optimistic`: the claim says more than the domain, i.e. even its most severe reading is less
 *   severe than the domain's result (allowed where the domain blocks, review where it blocks);
 * - `mismatch`: it differs without being more optimistic (more cautious, or other blockers).
 */
export type ClaimVerdict = 'agrees' | 'optimistic' | 'mismatch';

const SEVERITY = new Map<DecisionResult, number>(DECISION_RESULTS.map((r, i) => [r, i]));

function severity(result: DecisionResult): number {
  return SEVERITY.get(result) ?? DECISION_RESULTS.length;
}

/** The most severe result a claim admits: the claim is never more optimistic than the domain
 * exactly when this is at least as severe as the domain's result. */
function mostSevereAdmitted(claim: ClaimedResult): number {
  return Math.max(...CLAIM_ADMITS[claim].map(severity));
}

/** The one order on results every comparison uses: whether `claim` says more than `actual`. */
export function isMoreOptimistic(claim: ClaimedResult, actual: DecisionResult): boolean {
  return mostSevereAdmitted(claim) < severity(actual);
}

export function resultVerdict(claim: ClaimedResult, actual: DecisionResult): ClaimVerdict {
  if (CLAIM_ADMITS[claim].includes(actual)) return 'agrees';
  return isMoreOptimistic(claim, actual) ? 'optimistic' : 'mismatch';
}

/** The canonical `{action, result, blockers}` of one decision, blocker codes sorted. */
export interface CanonicalDecision {
  action: CommerceAction;
  policyDomain?: PolicyDomain;
  result: DecisionResult;
  blockers: string[];
}

export function canonicalDecisions(profile: ProductActionProfile): CanonicalDecision[] {
  return profile.decisions.map((decision) => {
    const canonical: CanonicalDecision = {
      action: decision.action,
      result: decision.result,
      blockers: decision.blockers.map((b) => b.code).sort(),
    };
    if (decision.policyDomain !== undefined) canonical.policyDomain = decision.policyDomain;
    return canonical;
  });
}

/** One claim of a surface that is not the domain's decision. */
export interface Disagreement {
  action: CommerceAction | 'product';
  policyDomain?: PolicyDomain;
  kind: Exclude<ClaimVerdict, 'agrees'>;
  claimed: string;
  actual: string;
}

function sameCodes(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((code, i) => code === right[i]);
}

/**
 * Every claim of a reading that the domain's decisions do not bear out. A claim about a
 * decision the domain did not make is judged against `blocked` (a missing decision is never
 * read as allowed).
 */
export function disagreements(
  reading: SurfaceReading,
  profile: ProductActionProfile,
): Disagreement[] {
  const truth = canonicalDecisions(profile);
  const found: Disagreement[] = [];
  for (const claim of reading.claims) {
    const actual = truth.find(
      (d) => d.action === claim.action && d.policyDomain === claim.policyDomain,
    ) ?? { action: claim.action, result: 'blocked' as const, blockers: [] };
    const where: Pick<Disagreement, 'action' | 'policyDomain'> = { action: claim.action };
    if (claim.policyDomain !== undefined) where.policyDomain = claim.policyDomain;
    const verdict = resultVerdict(claim.result, actual.result);
    if (verdict !== 'agrees') {
      found.push({ ...where, kind: verdict, claimed: claim.result, actual: actual.result });
    } else if (claim.blockers !== undefined && !sameCodes(claim.blockers, actual.blockers)) {
      found.push({
        ...where,
        kind: 'mismatch',
        claimed: [...claim.blockers].sort().join(','),
        actual: actual.blockers.join(','),
      });
    }
  }
  if (reading.productBlockers !== undefined) {
    const actual = truth.filter((d) => d.policyDomain === undefined).flatMap((d) => d.blockers);
    if (!sameCodes(reading.productBlockers, actual))
      found.push({
        action: 'product',
        kind: 'mismatch',
        claimed: [...new Set(reading.productBlockers)].sort().join(','),
        actual: [...new Set(actual)].sort().join(','),
      });
  }
  return found;
}
