import { z } from 'zod';
import {
  CommerceActionSchema,
  DecisionResultSchema,
  PolicyDomainSchema,
} from '../../domain/index.js';
import {
  type DecisionClaim,
  type SurfaceReading,
  statedResult,
} from '../../domain/surface-claims.js';

/**
 * Reads a GET /v1/products/{id}/profile body back into what it claims: every decision of the
 * profile with its result and blocker codes. The route returns the profile as the domain made
 * it, so this is the identity on decisions; it is here so every surface is read the same way.
 */
const ProfileResponseSchema = z.object({
  source: z.enum(['stored', 'evaluated', 'unknown']),
  profile: z.object({
    productId: z.string(),
    decisions: z.array(
      z.object({
        action: CommerceActionSchema,
        policyDomain: PolicyDomainSchema.optional(),
        result: DecisionResultSchema,
        allowed: z.boolean(),
        blockers: z.array(z.object({ code: z.string() })),
      }),
    ),
  }),
});

export function decodeProfileResponse(wire: unknown): SurfaceReading {
  const body = ProfileResponseSchema.parse(wire);
  const claims = body.profile.decisions.map((decision): DecisionClaim => {
    const claim: DecisionClaim = {
      action: decision.action,
      result: statedResult(decision.result, decision.allowed),
      blockers: decision.blockers.map((b) => b.code),
    };
    if (decision.policyDomain !== undefined) claim.policyDomain = decision.policyDomain;
    return claim;
  });
  return { claims };
}
