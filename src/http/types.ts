import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

/** The fastify instance route sets receive: zod-typed routes, our pino logger. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * A set of routes the ingress mounts, each half in its own encapsulated plugin (src/app's
 * capabilities are route sets; the ingress needs to know no more of them).
 */
export interface HttpRoutes {
  /** Routes behind tenant bearer auth (`request.tenant` is set), mounted by the ingress role. */
  tenantRoutes?(app: App, ctx: AppContext): Promise<void>;
  /** Routes with their own auth or none (discovery documents, protocol endpoints). */
  publicRoutes?(app: App, ctx: AppContext): Promise<void>;
}
