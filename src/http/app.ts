import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { requireTenant } from './auth.js';
import { errorBody, errorHandler } from './error-handler.js';
import { acceptJsonBodiesOnly } from './json-bodies.js';
import { lazyChildLoggerFactory } from './lazy-request-logger.js';
import type { App, HttpRoutes } from './types.js';

export interface BuildAppOptions {
  /** @defaultValue 1 MiB */
  bodyLimitBytes?: number;
}

/**
 * The HTTP ingress: one fastify instance, each route set in its own encapsulated
 * plugin. Tenant routes sit behind bearer auth and take JSON bodies only; every error answers
 * JSON in our shape with our code (never a framework's), never a bare 500.
 */
export async function buildApp(
  ctx: AppContext,
  features: readonly HttpRoutes[],
  options: BuildAppOptions = {},
): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    // Protects the JSON parser against prototype pollution from untrusted bodies.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // Capability plugins start workers and seed the demo while they load (src/app/start-app.ts);
    // a slow start-up is the process's to report, not cut off by avvio's 10 s plugin default.
    pluginTimeout: 0,
    // One access line per request, written in onResponse below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLoggerFactory,
  }).withTypeProvider<ZodTypeProvider>();
  const accessLog = accessLogger(ctx.logger);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody('NOT_FOUND', `route ${request.method} ${request.url} not found`, 404));
  });
  app.decorateRequest('tenant', '');
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so ids do not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequestDuration
      .labels(request.method, route, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        route,
        url: request.url,
        statusCode: reply.statusCode,
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });

  for (const routes of features) await mountRoutes(app, ctx, routes);
  return app;
}

/**
 * The access log: one line per request, built here from fields that cannot hold a secret (no
 * headers, no body; tokens travel in headers, never in our URLs), so it skips the path-based
 * redaction every other line goes through, which walks its wildcard paths on each line and was
 * most of the ingress' logging cost. Everything else a request logs (request.log) is redacted.
 */
function accessLogger(logger: AppContext['logger']): AppContext['logger'] {
  return logger.child({}, { redact: [] });
}

/**
 * Mounts one route set: its public routes in one encapsulated plugin, its tenant routes in
 * another behind bearer auth that takes JSON bodies only.
 */
export async function mountRoutes(app: App, ctx: AppContext, routes: HttpRoutes): Promise<void> {
  if (routes.publicRoutes) {
    await app.register(async (scope) => routes.publicRoutes?.(scope, ctx));
  }
  if (routes.tenantRoutes) {
    await app.register(async (scope) => {
      acceptJsonBodiesOnly(scope);
      // onRequest, before the body is read: an unauthenticated caller costs no parsing and
      // gets its 401, never a 400 about a body nobody will look at.
      scope.addHook('onRequest', requireTenant(ctx.config.AUTH_TOKENS));
      await routes.tenantRoutes?.(scope, ctx);
    });
  }
}
