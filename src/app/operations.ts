import { Queue } from 'bullmq';
import { readinessRoutes } from '../adapters/admin/readiness-routes.js';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors/codes.js';
import { tenantOfToken } from '../http/auth.js';
import { mountDashboard } from '../http/dashboard.js';
import { faviconRoute } from '../http/favicon-route.js';
import { healthRoutes } from '../http/health-routes.js';
import { requireOperator } from '../http/operator-auth.js';
import type { App } from '../http/types.js';
import { queueExposition } from '../metrics/queue-metrics.js';
import { refreshStoreGauges } from '../metrics/store-gauges.js';
import { queuePrefix } from '../queues/queue-groups.js';
import type { ReadinessSources } from '../services/readiness-data.js';
import type { Feature } from './feature.js';

/** /metrics takes METRICS_TOKEN (when set) as a bearer token, not a tenant's. */
const METRICS_CHALLENGE = 'Bearer realm="acw metrics"';

/**
 * Health, metrics and the operator pages. Built from the list of every other feature, so the
 * dashboard and the queue metrics always cover every queue the service has.
 */
export function operationsFeature(
  features: () => readonly Feature[],
  readinessSources?: (ctx: AppContext) => ReadinessSources,
): Feature {
  let queues: Queue[] | undefined;
  const queuesOf = (ctx: AppContext): Queue[] => {
    const names = features().flatMap((feature) =>
      typeof feature.queues === 'function' ? feature.queues(ctx.config) : (feature.queues ?? []),
    );
    queues ??= [...new Set(names)].map(
      (name) =>
        new Queue(name, { connection: ctx.producer, prefix: queuePrefix(ctx.config, name) }),
    );
    return queues;
  };

  return {
    name: 'operations',
    async publicRoutes(app: App, ctx: AppContext) {
      const sources = readinessSources?.(ctx);
      app.addHook('onClose', async () => {
        await Promise.allSettled((queues ?? []).map((queue) => queue.close()));
      });
      await healthRoutes(app, ctx);
      await faviconRoute(app);

      app.get('/metrics', async (request, reply) => {
        const required = ctx.config.METRICS_TOKEN;
        if (
          required !== undefined &&
          tenantOfToken([{ tenant: 'metrics', token: required }], request.headers.authorization) ===
            undefined
        ) {
          reply.header('www-authenticate', METRICS_CHALLENGE);
          throw new AppError('UNAUTHORIZED');
        }
        if (sources !== undefined) {
          await refreshStoreGauges(ctx, sources).catch((error: unknown) => {
            request.log.warn({ err: error }, 'outbox, subscription and feed gauges unavailable');
          });
        }
        const own = await ctx.metrics.registry.metrics();
        const fromQueues = await queueExposition(queuesOf(ctx)).catch((error: unknown) => {
          request.log.warn({ err: error }, 'queue metrics unavailable');
          return '';
        });
        reply.header('content-type', ctx.metrics.registry.contentType);
        return `${own}${fromQueues}`;
      });

      await app.register(async (admin) => {
        admin.addHook('onRequest', requireOperator(ctx.config.OPERATOR_TOKEN));
        await mountDashboard(admin as App, queuesOf(ctx));
        if (sources !== undefined) await readinessRoutes(admin as App, ctx, sources);
      });
    },
  };
}
