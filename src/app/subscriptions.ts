import type { AppContext } from '../app-context.js';
import { subscriptionRoutes } from '../http/routes/subscription-routes.js';
import { SubscriptionService } from '../services/subscriptions/subscription-service.js';
import type { Feature } from './feature.js';

/** The subscription service over the context's Redis, clock and evaluated contexts. */
export function subscriptionServiceOf(ctx: AppContext): SubscriptionService {
  return new SubscriptionService({
    redis: ctx.redis,
    prefix: ctx.config.KEY_PREFIX,
    clock: ctx.clock,
    contexts: ctx.config.EVALUATION_CONTEXTS,
  });
}

/**
 * Product subscriptions: agents register where to hear of decision changes. Issue 18 is under
 * way: subscriptions are stored and validated; no event is sent to them yet (README).
 */
export const subscriptionsFeature: Feature = {
  name: 'subscriptions',

  async tenantRoutes(app, ctx) {
    await subscriptionRoutes(app, subscriptionServiceOf(ctx), ctx.config.NODE_ENV === 'production');
  },
};
