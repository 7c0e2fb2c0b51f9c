import { z } from 'zod';
import {
  claimOfStatedDecision,
  StatedDecisionSchema,
  type SurfaceReading,
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
    decisions: z.array(StatedDecisionSchema),
  }),
});

export function decodeProfileResponse(wire: unknown): SurfaceReading {
  const body = ProfileResponseSchema.parse(wire);
  return { claims: body.profile.decisions.map(claimOfStatedDecision) };
}
