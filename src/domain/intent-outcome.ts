import { z } from 'zod';
import { DecisionResultSchema } from './actions.js';
import { EvaluationContextSchema } from './context.js';
import {
  BlockerSchema,
  CommerceDecisionSchema,
  EvidenceRefSchema,
  ProductActionProfileSchema,
} from './decision.js';
import { InstantSchema } from './time.js';

/** What the caller wants back: the decision for the intent's action, or the whole profile. */
export const INTENT_ANSWERS = ['decision', 'profile'] as const;
export const IntentAnswerSchema = z.enum(INTENT_ANSWERS);
export type IntentAnswer = z.infer<typeof IntentAnswerSchema>;

/**
 * The result of carrying out one canonical intent, protocol-neutral. A blocked decision is a
 * normal outcome, not an error: adapters project it as a completed answer with blockers.
 */
export const IntentOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('decision'),
    productId: z.string(),
    context: EvaluationContextSchema,
    decision: CommerceDecisionSchema,
  }),
  z.object({ kind: z.literal('profile'), profile: ProductActionProfileSchema }),
  z.object({
    kind: z.literal('checkout'),
    /** Whether the checkout service carried the step out or refused it on a decision. */
    outcome: z.enum(['applied', 'refused']),
    /** The decision the step was made on: its result, blockers and evidence. */
    decision: z.object({
      action: z.string(),
      result: DecisionResultSchema,
      blockers: z.array(BlockerSchema),
      evidenceRefs: z.array(EvidenceRefSchema),
      evaluatedAt: InstantSchema,
    }),
    /** The cart or checkout after the step, as the checkout service reports it; null when none. */
    checkout: z.record(z.string(), z.unknown()).nullable(),
    /** The merchant-signed receipt answering signed mandates (AP2), when the step took some. */
    mandateReceipt: z.string().max(20_000).optional(),
    /**
     * A checkout prepared for payment, signed for a mandate to bind to (AP2's checkout JWT, the
     * nonce its key binding must carry, the audience, until when it can be signed over).
     */
    signedCheckout: z
      .object({
        checkoutJwt: z.string(),
        checkoutHash: z.string(),
        nonce: z.string(),
        audience: z.string(),
        expiresAt: InstantSchema,
      })
      .optional(),
  }),
  /**
   * A request about the caller's product subscriptions (issue 18), answered by the subscription
   * service at once, not an intent: one stored (created or replaced), one removed, or all listed.
   */
  z.object({
    kind: z.literal('subscriptions'),
    operation: z.enum(['stored', 'removed', 'listed']),
    /** Stored: whether the subscription is new (false: it replaced one of the same id). */
    created: z.boolean().optional(),
    /** The subscriptions concerned, as the subscription service keeps them (its REST shape). */
    subscriptions: z.array(z.record(z.string(), z.unknown())),
  }),
]);
export type IntentOutcome = z.infer<typeof IntentOutcomeSchema>;
