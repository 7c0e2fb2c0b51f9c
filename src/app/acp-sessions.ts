import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { AppContext } from '../app-context.js';
import { decisionFor } from '../domain/index.js';
import { acpIdempotencyOf } from '../http/acp/acp-idempotency.js';
import { checkoutSessionRoutes } from '../http/acp/checkout-session-routes.js';
import { CheckoutSessions } from '../http/acp/checkout-sessions.js';
import type { App } from '../http/types.js';
import { OUTBOX_QUEUE_NAMES } from '../queues/outbox-queues.js';
import { catalogRuntime } from './catalog-runtime.js';
import { createCheckoutService } from './checkout-runtime.js';
import { delegatedPaymentsOf } from './delegated-payments.js';

/**
 * The ACP checkout sessions over the checkout service every surface uses, the profile service
 * (the prepare_checkout decision of a product the domain would not add) and the vault of
 * delegated payment tokens. Steps wake the outbox drain through a drain queue of the routes'
 * own, closed with them.
 */
export async function acpCheckoutSessionRoutes(app: App, ctx: AppContext): Promise<void> {
  const drain = new Queue(OUTBOX_QUEUE_NAMES.drain, {
    connection: ctx.producer,
    prefix: ctx.config.QUEUE_PREFIX,
  });
  // A Queue emits 'error' when Redis goes away; unhandled, that would crash the process.
  drain.on('error', (err) => ctx.logger.warn({ err }, 'acp outbox drain queue error'));
  // The queue writes its meta once connected: let that land before the shared connection goes.
  app.addHook('onClose', async () => {
    await drain.waitUntilReady().catch(() => undefined);
    await drain.close();
  });
  const sessions = new CheckoutSessions({
    service: createCheckoutService(ctx, { drain }),
    async prepareDecisionOf(tenant, productId, context) {
      // Opened on first use: a process that never refuses an item opens no catalog queues.
      const profile = await catalogRuntime(ctx).profiles.getProfile(tenant, productId, context);
      return decisionFor(profile, 'prepare_checkout');
    },
    // The tokens delegate_payment minted, looked up in the caller's tenant.
    loadToken: (tenant, id) => delegatedPaymentsOf(ctx).token(tenant, id),
    defaultContext: ctx.config.FEED_CONTEXT,
    // `complete` answers once the capture completed the checkout, waiting at most half of the
    // Idempotency-Key's claim (15 s by default): a waiting request never outlives its claim.
    completeWaitMs: Math.floor(ctx.config.IDEMPOTENCY_CLAIM_TTL_MS / 2),
    pause: (ms) => delay(ms),
    nowMs: () => ctx.clock.nowMs(),
  });
  await checkoutSessionRoutes(app, {
    sessions,
    idempotency: acpIdempotencyOf(ctx),
    config: ctx.config,
  });
}
