import { z } from 'zod';
import {
  BlockerSchema,
  CommerceActionSchema,
  type CommerceDecision,
  DecisionResultSchema,
  EvaluationContextSchema,
  EvidenceRefSchema,
  InstantSchema,
  PolicyDomainSchema,
  type ProductActionProfile,
} from '../../domain/index.js';

/**
 * A decision as MCP tools return it: the domain's decision, field for field, minus the
 * redundant `allowed` flag (an LLM should read `result`, which has four values, not a yes/no).
 */
export const DecisionOutputSchema = z.object({
  action: CommerceActionSchema,
  policyDomain: PolicyDomainSchema.optional(),
  result: DecisionResultSchema.describe(
    'allowed, blocked, requires_review or requires_revalidation; only allowed means go ahead.',
  ),
  blockers: z
    .array(BlockerSchema)
    .describe('Why the action is not allowed, each with the next action that would lift it.'),
  warnings: z.array(BlockerSchema),
  evidenceRefs: z.array(EvidenceRefSchema),
  evaluatedAt: InstantSchema,
  validUntil: InstantSchema.nullable().describe(
    'When this decision must be asked for again at the latest; null when nothing it used expires.',
  ),
  rulesetVersion: z.string(),
});
export type DecisionOutput = z.infer<typeof DecisionOutputSchema>;

/** A product's decisions in one context, as the profile service served them. */
export const ProfileOutputSchema = z.object({
  productId: z.string(),
  found: z
    .boolean()
    .describe('false when the catalog has no such product; every action is then blocked.'),
  context: EvaluationContextSchema,
  evaluatedAt: InstantSchema,
  validUntil: InstantSchema.nullable(),
  rulesetVersion: z.string(),
  decisions: z.array(DecisionOutputSchema),
});
export type ProfileOutput = z.infer<typeof ProfileOutputSchema>;

export function decisionOutput(decision: CommerceDecision): DecisionOutput {
  const { allowed: _allowed, ...rest } = decision;
  return rest;
}

export function profileOutput(profile: ProductActionProfile, found: boolean): ProfileOutput {
  return {
    productId: profile.productId,
    found,
    context: profile.context,
    evaluatedAt: profile.evaluatedAt,
    validUntil: profile.validUntil,
    rulesetVersion: profile.rulesetVersion,
    decisions: profile.decisions.map(decisionOutput),
  };
}
