import type { AppContext } from '../app-context.js';
import type { Config } from '../config.js';
import { mountRoutes } from '../http/app.js';
import type { App } from '../http/types.js';
import type { Feature } from './feature.js';

export type Role = Config['ROLE'];

export function runs(role: Role, part: 'ingress' | 'worker' | 'scheduler'): boolean {
  return role === 'all' || role === part;
}

/**
 * One capability as a fastify plugin: it runs the feature's start-up work, starts its workers
 * (worker role) and schedulers (scheduler role), registers all it opened into the root's
 * phased registry (`app.running`, see running-parts.ts), and mounts its routes when asked.
 */
export function capability(
  feature: Feature,
  ctx: AppContext,
  options: { role: Role; routes: boolean },
): (app: App) => Promise<void> {
  return async function capabilityPlugin(app) {
    app.running.add(...((await feature.onStart?.(ctx)) ?? []));
    if (runs(options.role, 'worker')) {
      app.running.add(...((await feature.startWorkers?.(ctx)) ?? []));
    }
    if (runs(options.role, 'scheduler')) {
      app.running.add(...((await feature.startSchedulers?.(ctx)) ?? []));
    }
    if (options.routes) await mountRoutes(app, ctx, feature);
  };
}
