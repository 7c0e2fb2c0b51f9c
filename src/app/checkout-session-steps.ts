import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { AppContext } from '../app-context.js';
import { decisionFor } from '../domain/index.js';
import type { App } from '../http/types.js';
import { OUTBOX_QUEUE_NAMES } from '../queues/outbox-queues.js';
import { queuePrefix } from '../queues/queue-groups.js';
import type { CheckoutSessionStepsDeps } from '../services/checkout/checkout-session-steps.js';
import { catalogRuntime } from './catalog-runtime.js';
import { createCheckoutService } from './checkout-runtime.js';

/**
 * What the checkout-session steps of one protocol's routes run on (ACP's and UCP's alike): the
 * checkout service every surface uses, the profile service (the prepare_checkout decision of a
 * product the domain would not add) and the clock. Steps wake the outbox drain through a drain
 * queue of the routes' own, closed with them; `surface` names it in the log.
 */
export function checkoutSessionStepsDepsOf(
  app: App,
  ctx: AppContext,
  surface: string,
): CheckoutSessionStepsDeps {
  const drain = new Queue(OUTBOX_QUEUE_NAMES.drain, {
    connection: ctx.producer,
    prefix: queuePrefix(ctx.config, OUTBOX_QUEUE_NAMES.drain),
  });
  // A Queue emits 'error' when Redis goes away; unhandled, that would crash the process.
  drain.on('error', (err) => ctx.logger.warn({ err, surface }, 'outbox drain queue error'));
  // The queue writes its meta once connected: let that land before the shared connection goes.
  app.addHook('onClose', async () => {
    await drain.waitUntilReady().catch(() => undefined);
    await drain.close();
  });
  return {
    service: createCheckoutService(ctx, { drain }),
    async prepareDecisionOf(tenant, productId, context) {
      // Opened on first use: a process that never refuses an item opens no catalog queues.
      const profile = await catalogRuntime(ctx).profiles.getProfile(tenant, productId, context);
      return decisionFor(profile, 'prepare_checkout');
    },
    // `complete` answers once the capture completed the checkout, waiting at most half of the
    // Idempotency-Key's claim (15 s by default): a waiting request never outlives its claim.
    completeWaitMs: Math.floor(ctx.config.IDEMPOTENCY_CLAIM_TTL_MS / 2),
    pause: (ms) => delay(ms),
    nowMs: () => ctx.clock.nowMs(),
  };
}
