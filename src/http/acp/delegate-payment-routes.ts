import {
  cardProblemsOf,
  type DelegatePaymentRequest,
  DelegatePaymentRequestSchema,
  delegationInputOf,
} from '../../adapters/acp/delegate-payment.js';
import {
  delegatePaymentResponseOf,
  delegationRefusalOf,
} from '../../adapters/acp/delegate-payment-answer.js';
import type { DelegatedPaymentService } from '../../services/delegated-payment-service.js';
import { echoRequestId } from '../request-id.js';
import type { App } from '../types.js';
import { type AcpFailure, invalidRequest } from './acp-error.js';
import { acpCallerOf } from './acp-guard.js';
import type { AcpIdempotency } from './acp-idempotency.js';

export const DELEGATE_PAYMENT_PATH = '/agentic_commerce/delegate_payment';

export interface DelegatePaymentRouteDeps {
  payments: DelegatedPaymentService;
  idempotency: AcpIdempotency;
}

/** A card field that cannot be a card's, or a delegation the domain refuses: 422 invalid_card. */
function refusal(message: string, param: string | undefined): AcpFailure {
  return invalidRequest(422, 'invalid_card', message, param);
}

/**
 * `POST /agentic_commerce/delegate_payment`: the body is checked whole against the spec's shape
 * by the route schema (400), the card's fields for being a card's (422), then the service has
 * the domain judge the allowance and the card and, allowed, stores the vault token (201).
 * Behind the ACP guard and the Idempotency-Key layer; its errors are worded in the route set's
 * dialect (delegate-payment-errors.ts).
 */
export async function delegatePaymentRoutes(
  app: App,
  { payments, idempotency }: DelegatePaymentRouteDeps,
): Promise<void> {
  // JSON only (the spec's Content-Type): a text/plain body is a 415, not a string that fails the
  // schema. fastify's own JSON parser stays: its refusal quotes none of the body, which may hold
  // a card number.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', echoRequestId);
  app.post(
    DELEGATE_PAYMENT_PATH,
    {
      ...idempotency.route('delegate_payment'),
      schema: { body: DelegatePaymentRequestSchema },
    },
    async (request, reply) => {
      const { tenant } = acpCallerOf(request);
      const body: DelegatePaymentRequest = request.body;
      const [problem, ...more] = cardProblemsOf(body.payment_method);
      if (problem !== undefined) {
        const message = [problem, ...more].map((found) => found.message).join('; ');
        throw refusal(message, problem.param);
      }
      const tokenId = payments.newTokenId();
      const result = await payments.delegate(tenant, delegationInputOf(body, tokenId));
      if (result.kind === 'refused') {
        const { message, param } = delegationRefusalOf(result.outcome.blockers);
        throw refusal(message, param);
      }
      const key = request.headers['idempotency-key'];
      const response = delegatePaymentResponseOf(
        {
          id: result.token.id,
          createdAt: result.token.createdAt,
          merchantId: result.token.allowance.merchant_id,
          metadata: result.token.metadata,
        },
        typeof key === 'string' ? key : undefined,
      );
      return reply.code(201).send(response);
    },
  );
}
