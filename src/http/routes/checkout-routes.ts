import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CompleteRequestSchema,
  startPaymentRequestOf,
} from '../../adapters/acp/complete-request.js';
import { ActorSchema, isConflictRefusal, wasApplied } from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { TransitionResult } from '../../services/checkout/checkout-record.js';
import {
  AddItemSchema,
  CreateCheckoutSchema,
  PaymentActionSchema,
  VersionOnlySchema,
} from '../../services/checkout/checkout-requests.js';
import type { CheckoutService, RequestMeta } from '../../services/checkout/checkout-service.js';
import type { Ap2Payments } from '../ap2/ap2-payments.js';
import type { App } from '../types.js';

/**
 * A tenant-scoped checkout API for the demo and tests: create a cart, add items, prepare,
 * complete with an ACP allowance, cancel, and capture/void/refund. Answers carry the domain's
 * decision and blockers; protocol checkout surfaces (ACP, UCP) translate the same service.
 * Every mutation needs an Idempotency-Key and follows the one rule of
 * services/checkout/idempotency.ts: a replay answers the original status and body with
 * `Idempotent-Replayed: true`, another body under the key is 422, a key still in flight is 409
 * with `Retry-After`.
 */

const IdParams = z.object({ id: z.string().min(1).max(128) });
const ItemParams = IdParams.extend({ productId: z.string().min(1).max(128) });

function meta(request: FastifyRequest): RequestMeta {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) throw new AppError('IDEMPOTENCY_KEY_MISSING');
  if (key.length > 255) {
    throw new AppError('VALIDATION_FAILED', ['headers.idempotency-key: at most 255 characters']);
  }
  const correlation = request.headers['x-correlation-id'];
  return {
    idempotencyKey: key,
    correlationId:
      typeof correlation === 'string' && correlation.length > 0 ? correlation : request.id,
  };
}

/**
 * Refusals are answers: 409 for a race or an illegal transition, 422 for a blocked decision. The
 * status is a function of the answer alone, so a replay answers the original status too.
 */
function reply(reply: FastifyReply, result: TransitionResult, created = false) {
  const { replayed, ...answer } = result;
  if (replayed) reply.header('idempotent-replayed', 'true');
  if (wasApplied(answer)) return reply.code(created ? 201 : 200).send(answer);
  return reply.code(isConflictRefusal(answer.decision) ? 409 : 422).send(answer);
}

/** A complete that pays with AP2 mandates instead of an ACP allowance. */
const Ap2CompleteSchema = z.strictObject({
  ap2: z.strictObject({
    checkout_mandate: z.string().min(1).max(65_536),
    payment_mandate: z.string().min(1).max(65_536),
  }),
  actor: ActorSchema,
  expectedVersion: z.number().int().positive().optional(),
});

export async function checkoutRoutes(
  app: App,
  service: CheckoutService,
  ap2?: Ap2Payments,
): Promise<void> {
  app.post('/v1/checkouts', { schema: { body: CreateCheckoutSchema } }, async (request, res) =>
    reply(res, await service.createCheckout(request.tenant, request.body, meta(request)), true),
  );

  app.get('/v1/checkouts/:id', { schema: { params: IdParams } }, async (request) => {
    const checkout = await service.get(request.tenant, request.params.id);
    if (checkout === undefined) throw new AppError('NOT_FOUND', [`checkout ${request.params.id}`]);
    return checkout;
  });

  app.post(
    '/v1/checkouts/:id/items',
    { schema: { params: IdParams, body: AddItemSchema } },
    async (request, res) =>
      reply(
        res,
        await service.addItem(request.tenant, request.params.id, request.body, meta(request)),
      ),
  );

  app.delete(
    '/v1/checkouts/:id/items/:productId',
    {
      schema: {
        params: ItemParams,
        querystring: VersionOnlySchema.extend({
          expectedVersion: z.coerce.number().int().positive().optional(),
        }),
      },
    },
    async (request, res) =>
      reply(
        res,
        await service.removeItem(
          request.tenant,
          request.params.id,
          { productId: request.params.productId, expectedVersion: request.query.expectedVersion },
          meta(request),
        ),
      ),
  );

  for (const step of ['prepare', 'cancel'] as const) {
    app.post(
      `/v1/checkouts/:id/${step}`,
      // Both steps need nothing but the key, so a POST with no body at all is fine: fastify hands
      // a body-less request to the route as null, hence nullish rather than optional.
      { schema: { params: IdParams, body: VersionOnlySchema.nullish() } },
      async (request, res) =>
        reply(
          res,
          await service[step](request.tenant, request.params.id, request.body ?? {}, meta(request)),
        ),
    );
  }

  app.post(
    '/v1/checkouts/:id/complete',
    // ACP's name for delegating payment; it only starts the payment chain, hence the service's
    // name. An allowance is mapped to the domain's mandate by the one ACP mapping; AP2 mandates
    // are verified and mapped by the one AP2 mapping, and answered with a signed receipt.
    { schema: { params: IdParams, body: z.union([CompleteRequestSchema, Ap2CompleteSchema]) } },
    async (request, res) => {
      const { tenant, body } = request;
      const checkoutId = request.params.id;
      if (!('ap2' in body))
        return reply(
          res,
          await service.startPayment(
            tenant,
            checkoutId,
            startPaymentRequestOf(body),
            meta(request),
          ),
        );
      const requestMeta = meta(request);
      if (ap2 === undefined)
        throw new AppError('VALIDATION_FAILED', ['body.ap2: AP2 is not served']);
      const checkout = await service.get(tenant, checkoutId);
      if (checkout === undefined) throw new AppError('NOT_FOUND', [`checkout ${checkoutId}`]);
      const { mandate, outcome } = await ap2.mandateOf(tenant, checkout, {
        checkoutMandate: body.ap2.checkout_mandate,
        paymentMandate: body.ap2.payment_mandate,
      });
      const started = await service.startPayment(
        tenant,
        checkoutId,
        {
          mandate,
          actor: body.actor,
          asSent: body,
          ...(body.expectedVersion === undefined ? {} : { expectedVersion: body.expectedVersion }),
        },
        requestMeta,
      );
      res.header('ap2-receipt', await ap2.receipt(outcome, checkoutId, started));
      return reply(res, started);
    },
  );

  if (ap2 !== undefined) {
    const payments = ap2;
    app.post(
      '/v1/checkouts/:id/checkout-jwt',
      { schema: { params: IdParams } },
      async (request, res) => {
        const checkout = await service.get(request.tenant, request.params.id);
        if (checkout === undefined)
          throw new AppError('NOT_FOUND', [`checkout ${request.params.id}`]);
        const issued = await payments.issue(request.tenant, checkout);
        if (issued === undefined)
          throw new AppError('CONFLICT', [
            `checkout ${checkout.id} is ${checkout.state}: prepare it before signing it for a mandate`,
          ]);
        return res.code(201).send({
          checkout_jwt: issued.checkoutJwt,
          checkout_hash: issued.checkoutHash,
          nonce: issued.nonce,
          audience: issued.audience,
          expires_at: issued.expiresAt,
          version: issued.version,
        });
      },
    );
  }

  app.post(
    '/v1/checkouts/:id/payment',
    { schema: { params: IdParams, body: PaymentActionSchema } },
    async (request, res) =>
      reply(
        res,
        await service.paymentAction(request.tenant, request.params.id, request.body, meta(request)),
      ),
  );
}
