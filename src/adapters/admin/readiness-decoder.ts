import type { RemediationView } from '../../domain/index.js';
import type { DecisionClaim, SurfaceReading } from '../../domain/surface-claims.js';

/**
 * Reads the readiness page's product detail (the RemediationView the page renders) back into
 * what it claims: each decision listed as allowed, or as not allowed with its result and
 * blocker codes. The spec of productDetail in readiness-model.ts.
 */
export function decodeProductDetail(view: RemediationView): SurfaceReading {
  const claims: DecisionClaim[] = [];
  for (const where of view.allowed) {
    const claim: DecisionClaim = { action: where.action, result: 'allowed', blockers: [] };
    if (where.policyDomain !== undefined) claim.policyDomain = where.policyDomain;
    claims.push(claim);
  }
  for (const item of view.notAllowed) {
    const result = item.result === 'allowed' ? 'not_allowed' : item.result;
    const claim: DecisionClaim = {
      action: item.action,
      result: isClaimable(result) ? result : 'not_allowed',
      blockers: item.codes,
    };
    if (item.policyDomain !== undefined) claim.policyDomain = item.policyDomain;
    claims.push(claim);
  }
  return { claims };
}

const CLAIMABLE = new Set<string>([
  'requires_revalidation',
  'requires_review',
  'blocked',
  'not_allowed',
]);

/** The page types `result` as a string; anything else it shows reads as "not allowed". */
function isClaimable(result: string): result is DecisionClaim['result'] {
  return CLAIMABLE.has(result);
}
