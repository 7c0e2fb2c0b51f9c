import { subscriptionRoutes } from '../http/routes/subscription-routes.js';
import { SubscriptionService } from '../services/subscriptions/subscription-service.js';
import type { Feature } from './feature.js';

/**
 * Product subscriptions: agents register where to hear of decision changes. Issue 18 is under
 * way: subscriptions are stored and validated; no event is sent to them yet (README).
 */
export const subscriptionsFeature: Feature = {
  name: 'subscriptions',

  async tenantRoutes(app, ctx) {
    const service = new SubscriptionService({
      redis: ctx.redis,
      prefix: ctx.config.KEY_PREFIX,
      clock: ctx.clock,
      contexts: ctx.config.EVALUATION_CONTEXTS,
    });
    await subscriptionRoutes(app, service, ctx.config.NODE_ENV === 'production');
  },
};
