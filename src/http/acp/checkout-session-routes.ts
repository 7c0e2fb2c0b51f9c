import type { FastifyRequest } from 'fastify';
import { projectSession } from '../../adapters/acp/session-projection.js';
import {
  CancelSessionRequestSchema,
  CompleteSessionRequestSchema,
  CreateSessionRequestSchema,
  SessionParamsSchema,
  UpdateSessionRequestSchema,
} from '../../adapters/acp/session-request.js';
import type { Config } from '../../config.js';
import { acceptEmptyJsonBody } from '../json-bodies.js';
import { publicBaseUrl } from '../public-base-url.js';
import type { App } from '../types.js';
import { invalidRequest } from './acp-error.js';
import { acpCallerOf } from './acp-guard.js';
import type { AcpIdempotency } from './acp-idempotency.js';
import {
  type CheckoutSessions,
  SessionNotFound,
  type SessionOutcome,
} from './checkout-sessions.js';

export interface CheckoutSessionRouteDeps {
  sessions: CheckoutSessions;
  idempotency: AcpIdempotency;
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT' | 'ACP_ORDER_URL_TEMPLATE'>;
}

/** The spec's 404 for a session that is not the caller's tenant's (or does not exist). */
const notFound = () =>
  invalidRequest(404, 'not_found', 'Checkout session not found', '$.checkout_session_id');

function keyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * The ACP checkout sessions (openapi.agentic_checkout.yaml, 2026-04-17): create (201), get,
 * update, complete and cancel, each POST behind the ACP Idempotency-Key layer. A session the
 * domain blocks is a normal answer with `messages[]`; only a session that does not exist, or a
 * cancel the state machine refuses (405), is an ACP `Error`.
 */
export async function checkoutSessionRoutes(
  app: App,
  deps: CheckoutSessionRouteDeps,
): Promise<void> {
  const { sessions, idempotency } = deps;
  const render = (request: FastifyRequest, outcome: SessionOutcome, currency?: string) => {
    const base = publicBaseUrl(deps.config, request);
    const template = deps.config.ACP_ORDER_URL_TEMPLATE;
    return projectSession({
      ...outcome,
      ...(currency === undefined ? {} : { requestedCurrency: currency }),
      permalinkOf: (orderId) =>
        template === undefined
          ? `${base}/checkout_sessions/${encodeURIComponent(outcome.checkout.id)}`
          : template.replaceAll('{order_id}', encodeURIComponent(orderId)),
    });
  };
  const found = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SessionNotFound) throw notFound();
      throw error;
    }
  };

  app.post(
    '/checkout_sessions',
    { ...idempotency.route('create_session'), schema: { body: CreateSessionRequestSchema } },
    async (request, reply) => {
      const outcome = await sessions.create(acpCallerOf(request), request.body);
      return reply.code(201).send(render(request, outcome, request.body.currency));
    },
  );

  app.get(
    '/checkout_sessions/:checkout_session_id',
    { schema: { params: SessionParamsSchema } },
    async (request) => {
      const { tenant } = acpCallerOf(request);
      const id = request.params.checkout_session_id;
      return render(request, await found(() => sessions.read(tenant, id)));
    },
  );

  app.post(
    '/checkout_sessions/:checkout_session_id',
    {
      ...idempotency.route('update_session'),
      schema: { params: SessionParamsSchema, body: UpdateSessionRequestSchema },
    },
    async (request) => {
      const id = request.params.checkout_session_id;
      const outcome = await found(() => sessions.update(acpCallerOf(request), id, request.body));
      return render(request, outcome);
    },
  );

  app.post(
    '/checkout_sessions/:checkout_session_id/complete',
    {
      ...idempotency.route('complete_session'),
      schema: { params: SessionParamsSchema, body: CompleteSessionRequestSchema },
    },
    async (request) => {
      const id = request.params.checkout_session_id;
      const outcome = await found(() =>
        sessions.complete(acpCallerOf(request), id, request.body, keyOf(request)),
      );
      return render(request, outcome);
    },
  );

  // Cancel's body is optional: an empty one is no body, not broken JSON.
  await app.register(async (scope: App) => {
    acceptEmptyJsonBody(scope);
    scope.post(
      '/checkout_sessions/:checkout_session_id/cancel',
      {
        ...idempotency.route('cancel_session'),
        schema: { params: SessionParamsSchema, body: CancelSessionRequestSchema },
      },
      async (request) => {
        const id = request.params.checkout_session_id;
        const outcome = await found(() => sessions.cancel(acpCallerOf(request), id));
        if (outcome.refused !== undefined) {
          // The spec's 405: "Not cancelable (already completed/canceled)".
          throw invalidRequest(
            405,
            'not_cancelable',
            `A ${outcome.checkout.state} checkout session cannot be canceled`,
          );
        }
        return render(request, outcome);
      },
    );
  });
}
