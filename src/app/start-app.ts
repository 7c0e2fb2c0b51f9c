import type { AppContext } from '../app-context.js';
import { buildApp } from '../http/app.js';
import type { App } from '../http/types.js';
import { capability, type Role, runs } from './capability.js';
import { FEATURES, INGRESS_FEATURES, OPERATIONS_ONLY } from './features.js';
import { RunningParts } from './running-parts.js';

/**
 * The process's app: each capability a plugin that starts what the role runs and registers it
 * into one phased registry on the root; one root onClose closes that registry in CLOSE_PHASES
 * order. The root hook is added before any capability, so fastify runs it after theirs, and
 * fastify's own close of the HTTP server (added once every plugin has loaded) runs before all.
 * Every role serves routes: worker and scheduler pods need /health and /metrics for their probes.
 */
export async function startApp(ctx: AppContext, role: Role): Promise<App> {
  const app = await buildApp(ctx, []);
  app.decorate('running', new RunningParts());
  app.addHook('onClose', async (instance) => instance.running.close());
  const served = runs(role, 'ingress') ? INGRESS_FEATURES : OPERATIONS_ONLY;
  for (const feature of new Set([...FEATURES, ...served])) {
    await app.register(capability(feature, ctx, { role, routes: served.includes(feature) }));
  }
  return app;
}
