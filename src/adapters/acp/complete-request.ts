import { z } from 'zod';
import { ActorSchema } from '../../domain/index.js';
import type { StartPaymentRequest } from '../../services/checkout/checkout-service.js';
import { AllowanceSchema } from './allowance.js';
import { mandateOfAllowance } from './to-mandate.js';

/**
 * The body of `POST /v1/checkouts/{id}/complete`: an ACP allowance, the actor and the expected
 * version. The route types its body with this schema and hands the service what
 * `startPaymentRequestOf` maps it to.
 */
export const CompleteRequestSchema = z.object({
  allowance: AllowanceSchema,
  /** The delegated payment token's id (ACP vault token); names the mandate in evidence. */
  allowanceRef: z.string().min(1).max(500).optional(),
  actor: ActorSchema,
  expectedVersion: z.number().int().positive().optional(),
});
export type CompleteRequest = z.infer<typeof CompleteRequestSchema>;

/** The service's start-payment request; the body as sent stays what the key's fingerprint covers. */
export function startPaymentRequestOf(body: CompleteRequest): StartPaymentRequest {
  const request: StartPaymentRequest = {
    mandate: mandateOfAllowance(body.allowance, body.allowanceRef),
    actor: body.actor,
    asSent: body,
  };
  if (body.expectedVersion !== undefined) request.expectedVersion = body.expectedVersion;
  return request;
}
