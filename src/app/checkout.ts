import { checkoutOpsRoutes } from '../http/routes/checkout-ops-routes.js';
import { checkoutRoutes } from '../http/routes/checkout-routes.js';
import { resolveProviderEndpoints } from '../providers/sandbox/demo-endpoints.js';
import { CHECKOUT_QUEUE_NAMES, checkoutQueues } from '../queues/outbox-queues.js';
import { OutboxOperations } from '../services/outbox/operations-service.js';
import { ap2PaymentsOf } from './ap2-payments.js';
import {
  createCheckoutService,
  startCheckoutSchedulers,
  startCheckoutWorkers,
} from './checkout-runtime.js';
import type { Feature } from './feature.js';

/**
 * Async checkout with a transactional outbox: the checkout API and the outbox's ops routes
 * (ingress), delivery/drain/reconcile workers (worker), and the drain and reconcile schedules
 * (scheduler). Workers start the sandbox providers when provider URLs are unset outside
 * production (demo mode).
 */
export const checkoutFeature: Feature = {
  name: 'checkout',
  queues: CHECKOUT_QUEUE_NAMES,

  async tenantRoutes(app, ctx) {
    const queues = checkoutQueues(ctx.producer, ctx.config);
    app.addHook('onClose', () => queues.close());
    const service = createCheckoutService(ctx, queues);
    await checkoutRoutes(app, service, ap2PaymentsOf(ctx));
    await checkoutOpsRoutes(
      app,
      new OutboxOperations({
        redis: ctx.producer,
        prefix: ctx.config.KEY_PREFIX,
        nowMs: () => ctx.clock.nowMs(),
        queues: queues.delivery,
        async enqueueReconciliation(tenant) {
          await queues.reconcile.add(
            'reconcile',
            { tenant },
            { removeOnComplete: 100, removeOnFail: 100 },
          );
        },
      }),
    );
  },

  async startWorkers(ctx) {
    const { endpoints, sandbox } = await resolveProviderEndpoints(ctx.config, ctx.logger);
    const workers = await startCheckoutWorkers(ctx, endpoints);
    // The sandbox providers close with the provider client, once the workers that call them have.
    return sandbox === undefined
      ? workers
      : [
          ...workers,
          { name: 'sandbox-providers', phase: 'providers', close: () => sandbox.close() },
        ];
  },

  startSchedulers: (ctx) => startCheckoutSchedulers(ctx),
};
