import type { FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { AP2_ERROR_CODE_OF_BLOCKER, ap2Negotiated } from '../../adapters/ucp/ap2-mandate.js';
import type { UcpOperation } from '../../adapters/ucp/capabilities.js';
import { projectUcpCheckout } from '../../adapters/ucp/checkout-projection.js';
import {
  CancelCheckoutRequestSchema,
  CheckoutParamsSchema,
  CompleteCheckoutRequestSchema,
  CreateCheckoutRequestSchema,
  UpdateCheckoutRequestSchema,
} from '../../adapters/ucp/checkout-request.js';
import { paymentHandlersOf } from '../../adapters/ucp/payment-handler.js';
import { SessionNotFound } from '../../services/checkout/checkout-session-steps.js';
import type { IdempotencyLayer } from '../idempotency-layer.js';
import { acceptEmptyJsonBody } from '../json-bodies.js';
import type { App } from '../types.js';
import type { UcpCheckoutSessions, UcpSessionOutcome } from './checkout-sessions.js';
import { noResource, type UcpBlockOf } from './ucp-answers.js';
import type { UcpAp2 } from './ucp-ap2.js';
import { ucpCallerOf, ucpNegotiatedOf } from './ucp-request.js';

export interface UcpCheckoutRouteDeps {
  sessions: UcpCheckoutSessions;
  idempotency: IdempotencyLayer;
  blockOf: UcpBlockOf;
  /** The service's public base URL as this request reaches it. */
  baseUrlOf(request: FastifyRequest): string;
  /** Where the buyer continues a checkout on the merchant's side. */
  continueUrlOf(request: FastifyRequest, checkoutId: string): string;
  /** `order.permalink_url` of an order. */
  orderUrlOf(request: FastifyRequest, orderId: string): string;
  /** The currency a checkout without a priced line names. */
  fallbackCurrency: string;
  /** Signs each checkout answer once the AP2 extension is negotiated, and locks the session. */
  ap2: Pick<UcpAp2, 'authorized' | 'lock' | 'isLocked'>;
}

function keyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * The UCP checkout sessions (rest.openapi.json 2026-04-08): create (201), get, update (PUT),
 * complete and cancel, each mutation behind the Idempotency-Key layer. A checkout the domain
 * blocks is a normal answer with `messages[]` and the status they imply; a checkout that does not
 * exist (or is another tenant's) is the spec's `not_found` business outcome.
 */
export async function ucpCheckoutRoutes(app: App, deps: UcpCheckoutRouteDeps): Promise<void> {
  const { sessions, idempotency } = deps;
  // Once the AP2 extension is negotiated, every checkout answer is signed and mandate refusals
  // speak its error codes (ap2-mandates.md "Activation and Session Locking").
  const render = async (
    request: FastifyRequest,
    operation: UcpOperation,
    outcome: UcpSessionOutcome,
  ) => {
    const ap2 = ap2Negotiated(ucpNegotiatedOf(request));
    const answer = projectUcpCheckout({
      ...outcome,
      ucp: {
        ...deps.blockOf(request, operation),
        payment_handlers: paymentHandlersOf(deps.baseUrlOf(request)),
      },
      continueUrl: deps.continueUrlOf(request, outcome.checkout.id),
      permalinkOf: (orderId) => deps.orderUrlOf(request, orderId),
      fallbackCurrency: deps.fallbackCurrency,
      ...(ap2 ? { codeOf: AP2_ERROR_CODE_OF_BLOCKER } : {}),
    });
    if (!ap2) return answer;
    // A session answered under the extension stays locked into it, even if a later request
    // does not negotiate it (a GET shows a checkout some mutation already locked).
    if (operation !== 'get_checkout')
      await deps.ap2.lock(ucpCallerOf(request).tenant, outcome.checkout.id);
    return deps.ap2.authorized(answer);
  };
  const answer = async (
    request: FastifyRequest,
    operation: UcpOperation,
    run: () => Promise<UcpSessionOutcome>,
  ) => {
    try {
      return render(request, operation, await run());
    } catch (error) {
      if (!(error instanceof SessionNotFound)) throw error;
      return noResource(
        deps.blockOf(request, operation),
        'not_found',
        'Checkout session not found.',
      );
    }
  };

  app.post(
    '/checkout-sessions',
    { ...idempotency.route('create_checkout'), schema: { body: CreateCheckoutRequestSchema } },
    async (request, reply) => {
      const outcome = await sessions.create(ucpCallerOf(request), request.body);
      return reply.code(201).send(await render(request, 'create_checkout', outcome));
    },
  );

  app.get(
    '/checkout-sessions/:id',
    { schema: { params: CheckoutParamsSchema } },
    async (request) => {
      const { tenant } = ucpCallerOf(request);
      return answer(request, 'get_checkout', () => sessions.read(tenant, request.params.id));
    },
  );

  app.put(
    '/checkout-sessions/:id',
    {
      ...idempotency.route('update_checkout'),
      schema: { params: CheckoutParamsSchema, body: UpdateCheckoutRequestSchema },
    },
    async (request) =>
      answer(request, 'update_checkout', () =>
        sessions.update(ucpCallerOf(request), request.params.id, request.body),
      ),
  );

  app.post(
    '/checkout-sessions/:id/complete',
    {
      ...idempotency.route('complete_checkout'),
      schema: { params: CheckoutParamsSchema, body: CompleteCheckoutRequestSchema },
    },
    async (request) => {
      const negotiated = ucpNegotiatedOf(request);
      const caller = ucpCallerOf(request);
      const locked =
        ap2Negotiated(negotiated) || (await deps.ap2.isLocked(caller.tenant, request.params.id));
      const ap2 = locked
        ? {
            ...(negotiated.platformSigningKeys === undefined
              ? {}
              : { platformKeys: negotiated.platformSigningKeys as JWK[] }),
          }
        : undefined;
      return answer(request, 'complete_checkout', () =>
        sessions.complete(caller, request.params.id, request.body, keyOf(request), ap2),
      );
    },
  );

  // Cancel's body is optional: an empty one is no body, not broken JSON.
  await app.register(async (scope: App) => {
    acceptEmptyJsonBody(scope);
    scope.post(
      '/checkout-sessions/:id/cancel',
      {
        ...idempotency.route('cancel_checkout'),
        schema: { params: CheckoutParamsSchema, body: CancelCheckoutRequestSchema },
      },
      async (request) =>
        answer(request, 'cancel_checkout', async () => {
          const outcome = await sessions.cancel(ucpCallerOf(request), request.params.id);
          if (outcome.refused === undefined) return outcome;
          // "businesses SHOULD send back an error indicating the operation is not allowed": the
          // checkout as it stands, with why it cannot be canceled.
          outcome.requestMessages.push({
            type: 'error',
            code: 'not_cancelable',
            severity: 'unrecoverable',
            content_type: 'plain',
            content: `A checkout in state ${outcome.checkout.state} cannot be canceled.`,
          });
          return outcome;
        }),
    );
  });
}
