import type { AppContext } from '../app-context.js';
import { acpIdempotencyOf } from '../http/acp/acp-idempotency.js';
import { checkoutSessionRoutes } from '../http/acp/checkout-session-routes.js';
import { CheckoutSessions } from '../http/acp/checkout-sessions.js';
import type { App } from '../http/types.js';
import { checkoutSessionStepsDepsOf } from './checkout-session-steps.js';
import { delegatedPaymentsOf } from './delegated-payments.js';

/**
 * The ACP checkout sessions over the checkout session steps every protocol shares and the vault
 * of delegated payment tokens.
 */
export async function acpCheckoutSessionRoutes(app: App, ctx: AppContext): Promise<void> {
  const sessions = new CheckoutSessions({
    ...checkoutSessionStepsDepsOf(app, ctx, 'acp'),
    // The tokens delegate_payment minted, looked up in the caller's tenant.
    loadToken: (tenant, id) => delegatedPaymentsOf(ctx).token(tenant, id),
    defaultContext: ctx.config.FEED_CONTEXT,
  });
  await checkoutSessionRoutes(app, {
    sessions,
    idempotency: acpIdempotencyOf(ctx),
    config: ctx.config,
  });
}
