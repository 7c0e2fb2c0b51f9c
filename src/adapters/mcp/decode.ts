import { z } from 'zod';
import {
  CommerceActionSchema,
  DecisionResultSchema,
  PolicyDomainSchema,
} from '../../domain/index.js';
import type { DecisionClaim, SurfaceReading } from '../../domain/surface-claims.js';

/**
 * Reads a get_product_readiness result's `structuredContent` (the `product://…/profile`
 * resource's text is the same JSON) back into what it claims: every decision with its result
 * and blocker codes. The spec of decision-output.ts's profileOutput. MCP states a result alone
 * (no yes-or-no `allowed` beside it), so each claim is exactly the stated result.
 */
const McpProfileWireSchema = z.object({
  productId: z.string(),
  found: z.boolean(),
  decisions: z.array(
    z.object({
      action: CommerceActionSchema,
      policyDomain: PolicyDomainSchema.optional(),
      result: DecisionResultSchema,
      blockers: z.array(z.object({ code: z.string() })),
    }),
  ),
});

export function decodeMcpProfile(wire: unknown): SurfaceReading {
  const body = McpProfileWireSchema.parse(wire);
  const claims = body.decisions.map((decision): DecisionClaim => {
    const claim: DecisionClaim = {
      action: decision.action,
      result: decision.result,
      blockers: decision.blockers.map((b) => b.code),
    };
    if (decision.policyDomain !== undefined) claim.policyDomain = decision.policyDomain;
    return claim;
  });
  return { claims };
}

const McpSearchItemWireSchema = z.object({
  productId: z.string(),
  actions: z.array(
    z.object({
      action: CommerceActionSchema,
      result: DecisionResultSchema,
      blockers: z.array(z.string()),
    }),
  ),
});

/**
 * Reads one product of a search_products result back into what it claims: each action's result
 * and blocker codes. A product search leaves out (null: discover is not allowed, so it is not
 * found) claims only that discover is not allowed. The spec of search-tool.ts's searchItemOf.
 */
export function decodeMcpSearchItem(wire: unknown): SurfaceReading {
  if (wire === null) return { claims: [{ action: 'discover', result: 'not_allowed' }] };
  const item = McpSearchItemWireSchema.parse(wire);
  return {
    claims: item.actions.map((a) => ({ action: a.action, result: a.result, blockers: a.blockers })),
  };
}
