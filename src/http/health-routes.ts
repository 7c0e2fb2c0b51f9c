import type { AppContext } from '../app-context.js';
import type { App } from './types.js';

/** Liveness says the process answers; readiness says it can do its work now. */
export async function healthRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const report = await ctx.health.report();
    reply.code(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'not_ready', ...report };
  });
}
