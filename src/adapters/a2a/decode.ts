import { z } from 'zod';
import {
  claimOfStatedDecision,
  type DecisionClaim,
  StatedDecisionSchema,
  type SurfaceReading,
} from '../../domain/surface-claims.js';

/**
 * Reads an A2A task, as either protocol version renders it, back into what it claims about a
 * product: every projected decision (a `profile` artifact) or the one decision (a `decision`
 * artifact), each with its result and blocker codes. The spec of project.ts with wire-v1.ts and
 * wire-v03.ts. Checkout artifacts are about a checkout, and product-watch artifacts about the
 * caller's subscriptions, not a product's decisions: they claim nothing here.
 */

const ArtifactDataSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('profile'), decisions: z.array(StatedDecisionSchema) }),
  StatedDecisionSchema.extend({ type: z.literal('decision') }),
  z.object({ type: z.literal('checkout') }),
  z.object({ type: z.literal('product_watches') }),
]);

const V1TaskSchema = z.object({
  artifacts: z.array(
    z.object({ parts: z.array(z.object({ data: z.unknown().optional() }).loose()) }),
  ),
});

const V03TaskSchema = z.object({
  kind: z.literal('task'),
  artifacts: z.array(
    z.object({
      parts: z.array(z.object({ kind: z.string(), data: z.unknown().optional() }).loose()),
    }),
  ),
});

function claimsOfData(data: unknown): DecisionClaim[] {
  const parsed = ArtifactDataSchema.parse(data);
  if (parsed.type === 'profile') return parsed.decisions.map(claimOfStatedDecision);
  if (parsed.type === 'decision') return [claimOfStatedDecision(parsed)];
  return [];
}

/** A v1.0 Task (ProtoJSON): data parts carry `data` with no kind. */
export function decodeA2aV1Task(wire: unknown): SurfaceReading {
  const task = V1TaskSchema.parse(wire);
  const claims = task.artifacts.flatMap((artifact) =>
    artifact.parts
      .filter((part) => part.data !== undefined)
      .flatMap((part) => claimsOfData(part.data)),
  );
  return { claims };
}

/** A v0.3 Task: data parts are `{kind: 'data', data}`. */
export function decodeA2aV03Task(wire: unknown): SurfaceReading {
  const task = V03TaskSchema.parse(wire);
  const claims = task.artifacts.flatMap((artifact) =>
    artifact.parts
      .filter((part) => part.kind === 'data')
      .flatMap((part) => claimsOfData(part.data)),
  );
  return { claims };
}
