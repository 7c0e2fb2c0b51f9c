import { z } from 'zod';
import { CommerceActionSchema, type DecisionResult, DecisionResultSchema } from './actions.js';
import { BLOCKERS, type BlockerCode } from './blockers.js';
import { EvaluationContextSchema } from './context.js';
import { PolicyDomainSchema } from './policy.js';
import { InstantSchema } from './time.js';

export const EVIDENCE_TYPES = [
  'commercial_truth',
  'policy_fact',
  'eligibility_rule',
  'authority_record',
  'checkout_state',
  'audit_event',
] as const;

export const EvidenceRefSchema = z.object({ type: z.enum(EVIDENCE_TYPES), id: z.string().min(1) });
export type EvidenceRef = z.infer<typeof EvidenceRefSchema>;

const blockerCodes = Object.keys(BLOCKERS) as [BlockerCode, ...BlockerCode[]];

export const BlockerSchema = z.object({
  code: z.enum(blockerCodes),
  message: z.string(),
  nextAction: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/** One decision about one action (and one policy domain, when quoting) in one context. */
export const CommerceDecisionSchema = z.object({
  action: CommerceActionSchema,
  policyDomain: PolicyDomainSchema.optional(),
  result: DecisionResultSchema,
  /** Always `result === 'allowed'`; kept for consumers that only want a yes or no. */
  allowed: z.boolean(),
  blockers: z.array(BlockerSchema),
  warnings: z.array(BlockerSchema),
  evidenceRefs: z.array(EvidenceRefSchema),
  evaluatedAt: InstantSchema,
  /** Earliest expiry of what the decision relied on; null when nothing it used expires. */
  validUntil: InstantSchema.nullable(),
  rulesetVersion: z.string(),
});
export type CommerceDecision = z.infer<typeof CommerceDecisionSchema>;

/** A product's decisions for one context: one per action, plus one per policy domain. */
export const ProductActionProfileSchema = z.object({
  productId: z.string(),
  context: EvaluationContextSchema,
  rulesetVersion: z.string(),
  evaluatedAt: InstantSchema,
  validUntil: InstantSchema.nullable(),
  decisions: z.array(CommerceDecisionSchema),
});
export type ProductActionProfile = z.infer<typeof ProductActionProfileSchema>;

/**
 * Whether a change of a decision flipped its result: a first decision (nothing before it)
 * counts, a refreshed validUntil or evidence under the same result does not. Subscribers asking
 * for `changes: results` hear only these.
 */
export function resultFlipped(change: {
  previousResult?: DecisionResult | undefined;
  result: DecisionResult;
}): boolean {
  return change.previousResult !== change.result;
}
