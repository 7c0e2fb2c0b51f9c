import { DecisionResultSchema, type RemediationView } from '../../domain/index.js';
import {
  type DecisionClaim,
  type SurfaceReading,
  statedResult,
} from '../../domain/surface-claims.js';

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
    // Listed as not allowed: whatever result it shows, it never reads as allowed.
    const shown = DecisionResultSchema.safeParse(item.result);
    const claim: DecisionClaim = {
      action: item.action,
      result: shown.success ? statedResult(shown.data, false) : 'not_allowed',
      blockers: item.codes,
    };
    if (item.policyDomain !== undefined) claim.policyDomain = item.policyDomain;
    claims.push(claim);
  }
  return { claims };
}
