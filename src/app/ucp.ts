import type { FastifyRequest } from 'fastify';
import { UCP_REST_PATH } from '../adapters/ucp/business-profile.js';
import { responseCapabilities, type UcpOperation } from '../adapters/ucp/capabilities.js';
import type { AppContext } from '../app-context.js';
import { publicBaseUrl } from '../http/public-base-url.js';
import { echoRequestId } from '../http/request-id.js';
import type { App } from '../http/types.js';
import { ucpCheckoutRoutes } from '../http/ucp/checkout-routes.js';
import { UcpCheckoutSessions } from '../http/ucp/checkout-sessions.js';
import { ucpDiscoveryRoutes } from '../http/ucp/discovery-routes.js';
import { ucpNegotiation } from '../http/ucp/negotiation-hook.js';
import { ucpOrderRoutes } from '../http/ucp/order-routes.js';
import { PlatformProfiles, platformProfilesOptions } from '../http/ucp/platform-profiles.js';
import type { UcpBlockOf } from '../http/ucp/ucp-answers.js';
import { UcpAp2 } from '../http/ucp/ucp-ap2.js';
import { sendUcpFailure, ucpErrorHandler, ucpFailure } from '../http/ucp/ucp-error.js';
import { ucpGuard } from '../http/ucp/ucp-guard.js';
import { ucpIdempotencyOf } from '../http/ucp/ucp-idempotency.js';
import { ucpNegotiatedOf } from '../http/ucp/ucp-request.js';
import { CheckoutSessionSteps } from '../services/checkout/checkout-session-steps.js';
import { MandateLockStore } from '../store/mandate-lock-store.js';
import { ap2PaymentsOf } from './ap2-payments.js';
import { checkoutSessionStepsDepsOf } from './checkout-session-steps.js';
import { delegatedPaymentsOf } from './delegated-payments.js';
import type { Feature } from './feature.js';
import { merchantSignerOf } from './merchant-signer.js';
import { ucpCatalog } from './ucp-catalog.js';

/**
 * Each REST route of the binding (rest.openapi.json 2026-04-08), as `METHOD path` under
 * UCP_REST_PATH → the operation it performs: what negotiation validates the request against and
 * what the answer's `ucp` block lists. A route missing here is never negotiated: the test that
 * walks the routes keeps the two in step.
 */
export const UCP_ROUTE_OPERATIONS: Readonly<Record<string, UcpOperation>> = {
  'POST /checkout-sessions': 'create_checkout',
  'GET /checkout-sessions/:id': 'get_checkout',
  'PUT /checkout-sessions/:id': 'update_checkout',
  'POST /checkout-sessions/:id/complete': 'complete_checkout',
  'POST /checkout-sessions/:id/cancel': 'cancel_checkout',
  'POST /catalog/search': 'search_catalog',
  'POST /catalog/lookup': 'lookup_catalog',
  'POST /catalog/product': 'get_product',
  'GET /orders/:id': 'get_order',
};

/** The operation of a request: its route's, by the route's path under the prefix. */
function operationOf(request: FastifyRequest): UcpOperation | undefined {
  const route = request.routeOptions.url;
  if (route === undefined || !route.startsWith(UCP_REST_PATH)) return undefined;
  return UCP_ROUTE_OPERATIONS[`${request.method} ${route.slice(UCP_REST_PATH.length)}`];
}

/** An answer's `ucp` block: the negotiated version and what the operation's answer speaks for. */
const blockOf: UcpBlockOf = (request, operation) => {
  const negotiated = ucpNegotiatedOf(request);
  return {
    version: negotiated.version,
    capabilities: responseCapabilities(negotiated, operation),
  };
};

/** Where the buyer carries on with a checkout: UCP_CONTINUE_URL_TEMPLATE, else its REST URL. */
function continueUrlOf(ctx: AppContext) {
  const template = ctx.config.UCP_CONTINUE_URL_TEMPLATE;
  return (request: FastifyRequest, checkoutId: string) => {
    const id = encodeURIComponent(checkoutId);
    if (template !== undefined) return template.replaceAll('{checkout_id}', id);
    return `${publicBaseUrl(ctx.config, request)}${UCP_REST_PATH}/checkout-sessions/${id}`;
  };
}

/** An order's page: ACP_ORDER_URL_TEMPLATE (the one ACP's orders name), else its REST URL. */
function orderUrlOf(ctx: AppContext) {
  const template = ctx.config.ACP_ORDER_URL_TEMPLATE;
  return (request: FastifyRequest, orderId: string) => {
    const id = encodeURIComponent(orderId);
    if (template !== undefined) return template.replaceAll('{order_id}', id);
    return `${publicBaseUrl(ctx.config, request)}${UCP_REST_PATH}/orders/${id}`;
  };
}

/**
 * The REST binding under UCP_REST_PATH: every request authenticated (bearer or X-API-Key), its
 * Request-Id echoed, negotiated against the platform's profile before any route runs, and every
 * failure answered in UCP's shape. Checkout, order and catalog routes sit on the services every
 * other surface uses; they map and project, the domain decides.
 */
async function ucpRestRoutes(scope: App, ctx: AppContext): Promise<void> {
  const profiles = new PlatformProfiles(
    platformProfilesOptions(ctx.config, () => ctx.clock.nowMs()),
  );
  scope.addHook('onClose', () => profiles.close());
  scope.setErrorHandler(ucpErrorHandler);
  scope.setNotFoundHandler((request, reply) =>
    sendUcpFailure(
      reply,
      ucpFailure(
        404,
        'not_found',
        `No UCP operation is served at ${request.method} ${request.url}`,
      ),
    ),
  );
  scope.addHook('onRequest', ucpGuard(ctx.config.AUTH_TOKENS));
  scope.addHook('onSend', echoRequestId);
  scope.addHook('preHandler', ucpNegotiation({ profiles, operationOf }));

  const stepsDeps = checkoutSessionStepsDepsOf(scope, ctx, 'ucp');
  const steps = new CheckoutSessionSteps(stepsDeps);
  const loadToken = (tenant: string, id: string) => delegatedPaymentsOf(ctx).token(tenant, id);
  // A checkout with no priced line yet still names a currency (checkout.json requires one).
  const fallbackCurrency = 'EUR';
  const ap2 = new UcpAp2({
    signer: () => merchantSignerOf(ctx),
    payments: ap2PaymentsOf(ctx),
    locks: new MandateLockStore(ctx.producer, ctx.config.KEY_PREFIX),
  });
  await ucpCheckoutRoutes(scope, {
    sessions: new UcpCheckoutSessions({
      steps,
      loadToken,
      defaultContext: ctx.config.FEED_CONTEXT,
      ap2,
      fallbackCurrency,
    }),
    ap2,
    idempotency: ucpIdempotencyOf(ctx),
    blockOf,
    baseUrlOf: (request) => publicBaseUrl(ctx.config, request),
    continueUrlOf: continueUrlOf(ctx),
    orderUrlOf: orderUrlOf(ctx),
    fallbackCurrency,
  });
  await ucpOrderRoutes(scope, {
    loadCheckout: (tenant, id) => stepsDeps.service.get(tenant, id),
    blockOf,
    orderUrlOf: orderUrlOf(ctx),
  });
  await ucpCatalog(scope, ctx, blockOf);
}

/**
 * The Universal Commerce Protocol (2026-04-08) as one thin adapter: discovery at
 * /.well-known/ucp and the REST binding at /ucp/v1. Discovery lists the REST binding alone: our
 * MCP tools and A2A skills are not UCP's bindings (mcp.openrpc.json's tools, the A2A extension),
 * and advertising them would send platforms to endpoints that do not speak UCP.
 */
export const ucpFeature: Feature = {
  name: 'ucp',
  async publicRoutes(app, ctx) {
    await ucpDiscoveryRoutes(app, ctx.config, {
      signingKeys: async () => (await merchantSignerOf(ctx)).jwks().keys,
    });
    await app.register((scope: App) => ucpRestRoutes(scope, ctx), { prefix: UCP_REST_PATH });
  },
};
