import { FeedPages } from '../../feeds/feed-pages.js';
import type { AppContext } from '../app-context.js';
import { type AcpErrorDialect, acpErrorHandlerOf } from '../http/acp/acp-error.js';
import { acpFeedRoutes } from '../http/acp/acp-feed-routes.js';
import { acpGuard } from '../http/acp/acp-guard.js';
import { acpIdempotencyOf } from '../http/acp/acp-idempotency.js';
import { delegatePaymentDialect } from '../http/acp/delegate-payment-errors.js';
import { delegatePaymentRoutes } from '../http/acp/delegate-payment-routes.js';
import { acpDiscoveryRoutes } from '../http/acp/discovery-routes.js';
import type { App } from '../http/types.js';
import { acpCheckoutSessionRoutes } from './acp-sessions.js';
import { catalogRuntime } from './catalog-runtime.js';
import { delegatedPaymentsOf } from './delegated-payments.js';
import type { Feature } from './feature.js';
import { feedSellerOf } from './feed-seller.js';

/**
 * A set of ACP routes. Each is mounted in the ACP scope: ACP's error shape for every failure
 * and, for `guarded` sets, bearer auth and the API-Version check before the route runs.
 */
export interface AcpRouteSet {
  name: string;
  /** Behind bearer auth and API-Version (false: discovery documents, which are public). */
  guarded: boolean;
  /** @defaultValue 'required'; 'not_used' where the set's spec defines no API-Version header. */
  apiVersion?: 'required' | 'not_used';
  /** How the set words its errors, where its spec's `Error` is narrower than the others'. */
  errors?: AcpErrorDialect;
  routes(app: App, ctx: AppContext): Promise<void>;
}

/** `POST /agentic_commerce/delegate_payment` (openapi.delegate_payment.yaml). */
export const delegatePaymentRouteSet: AcpRouteSet = {
  name: 'delegate_payment',
  guarded: true,
  // Its spec's Error enumerates fewer types and codes than the other ACP specs' Error.
  errors: delegatePaymentDialect,
  routes: (app, ctx) =>
    delegatePaymentRoutes(app, {
      payments: delegatedPaymentsOf(ctx),
      idempotency: acpIdempotencyOf(ctx),
    }),
};

/** The checkout sessions (openapi.agentic_checkout.yaml); tests mount it beside their own sets. */
export const checkoutSessionsRouteSet: AcpRouteSet = {
  name: 'checkout_sessions',
  guarded: true,
  routes: acpCheckoutSessionRoutes,
};

/** The ACP route sets; each adds itself here. */
export const ACP_ROUTE_SETS: readonly AcpRouteSet[] = [
  {
    name: 'discovery',
    guarded: false,
    routes: (app, ctx) => acpDiscoveryRoutes(app, ctx.config),
  },
  {
    name: 'feeds',
    guarded: true,
    // openapi.feed.yaml names no API-Version header (and its Error no supported_versions).
    apiVersion: 'not_used',
    routes: (app, ctx) => {
      const { feeds } = catalogRuntime(ctx);
      return acpFeedRoutes(app, {
        config: ctx.config,
        feeds,
        pages: new FeedPages(feeds),
        targetCountries: feedSellerOf(ctx.config).targetCountries,
      });
    },
  },
  delegatePaymentRouteSet,
  checkoutSessionsRouteSet,
];

/** Mounts each set in its own ACP scope (tests mount sets of their own the same way). */
export function acpRoutesOf(sets: readonly AcpRouteSet[]) {
  return async (app: App, ctx: AppContext): Promise<void> => {
    for (const set of sets) await mountAcpRouteSet(app, ctx, set);
  };
}

async function mountAcpRouteSet(app: App, ctx: AppContext, set: AcpRouteSet): Promise<void> {
  await app.register(async (scope: App) => {
    scope.setErrorHandler(acpErrorHandlerOf(set.errors ?? ((body) => body)));
    if (set.guarded)
      scope.addHook(
        'onRequest',
        acpGuard(ctx.config.AUTH_TOKENS, { apiVersion: set.apiVersion, dialect: set.errors }),
      );
    await set.routes(scope, ctx);
  });
}

/**
 * The Agentic Commerce Protocol (2026-04-17) as one thin adapter over the checkout service, the
 * outbox and the published feeds: checkout sessions, delegated payment, the feed API and
 * discovery. It maps and projects; the domain decides.
 */
export const acpFeature: Feature = {
  name: 'acp',
  publicRoutes: acpRoutesOf(ACP_ROUTE_SETS),
};
