import { z } from 'zod';
import {
  type CommerceDecision,
  type EvaluationContext,
  EvaluationContextSchema,
  isAllowed,
  type PolicyDomain,
  PolicyDomainSchema,
  type PolicyQuote,
} from '../../domain/index.js';
import { contextArgument } from './context-arguments.js';
import { DecisionOutputSchema, decisionOutput } from './decision-output.js';
import { ProductIdSchema, READ_ONLY } from './readiness-tools.js';
import type { ToolDefinition } from './tool-definition.js';

/**
 * get_policy_terms: the quote_policy decision of one policy domain, and the terms only where
 * that decision allows quoting them. A decision that does not is a normal result saying so and
 * why, with no terms at all: the tool never words terms of its own.
 */
export const PolicyTermsOutputSchema = z.object({
  productId: z.string(),
  found: z
    .boolean()
    .describe('false when the catalog has no such product; the decision is then blocked.'),
  context: EvaluationContextSchema,
  policyDomain: PolicyDomainSchema,
  decision: DecisionOutputSchema.describe(
    'The quote_policy decision for this domain: only result allowed lets the terms be quoted.',
  ),
  terms: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      "The merchant's terms as stated in its policy; present only when they may be quoted.",
    ),
  sources: z
    .array(z.object({ policyId: z.string(), version: z.number().int(), source: z.string() }))
    .optional()
    .describe('The policy facts the terms come from.'),
  statement: z.string().describe('In words: whether the terms may be quoted, and if not, why.'),
});
export type PolicyTermsOutput = z.infer<typeof PolicyTermsOutputSchema>;

export function policyTermsTool(regions: readonly [string, ...string[]]) {
  return {
    name: 'get_policy_terms',
    title: 'Policy terms',
    description:
      "The merchant's returns, shipping, warranty or cancellation terms for one product in one " +
      'market, with the decision on whether they may be quoted to the buyer. Where they may ' +
      'not (no policy covers the product, it awaits approval, conflicts or is not quoteable), ' +
      'the answer says so with the blockers and what would lift them, and carries no terms.',
    input: z.strictObject({
      productId: ProductIdSchema,
      policyDomain: PolicyDomainSchema.describe(
        'Which policy: returns, shipping, warranty or cancellation.',
      ),
      context: contextArgument(regions).prefault({}),
    }),
    output: PolicyTermsOutputSchema,
    annotations: READ_ONLY,
  } satisfies ToolDefinition;
}

function contextLabel(context: EvaluationContext): string {
  return `${context.region}, ${context.buyerType}, ${context.channel}`;
}

function statementOf(
  productId: string,
  domain: PolicyDomain,
  context: EvaluationContext,
  decision: CommerceDecision,
  quote: PolicyQuote | undefined,
): string {
  const where = `${productId} (${contextLabel(context)})`;
  if (isAllowed(decision) && quote !== undefined) {
    const until = decision.validUntil === null ? '' : `; ask again after ${decision.validUntil}`;
    return `The ${domain} terms of ${where} may be quoted exactly as given in terms${until}.`;
  }
  const reasons = decision.blockers.map((b) => `${b.code}: ${b.message}`).join(' ');
  return `The ${domain} terms of ${where} may not be quoted (${decision.result}). ${reasons} Do not state ${domain} terms for this product.`;
}

/** The tool's answer from the service's: the decision as made, the terms only as quoted. */
export function policyTermsOutput(
  productId: string,
  found: boolean,
  context: EvaluationContext,
  domain: PolicyDomain,
  decision: CommerceDecision,
  quote: PolicyQuote | undefined,
): PolicyTermsOutput {
  const output: PolicyTermsOutput = {
    productId,
    found,
    context,
    policyDomain: domain,
    decision: decisionOutput(decision),
    statement: statementOf(productId, domain, context, decision, quote),
  };
  if (quote !== undefined) {
    output.terms = quote.terms;
    output.sources = quote.policies.map((p) => ({
      policyId: p.id,
      version: p.version,
      source: p.source,
    }));
  }
  return output;
}
