import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readinessTools } from '../adapters/mcp/readiness-tools.js';
import type { AppContext } from '../app-context.js';
import { callerOf } from '../http/a2a/caller.js';
import { serveMcp, serveMcpStream } from '../http/mcp/mcp-endpoint.js';
import { readinessBindings } from '../http/mcp/readiness-bindings.js';
import { type McpCaller, ToolSet } from '../http/mcp/tool-runner.js';
import { mcpTransportErrorHandler } from '../http/mcp/transport-errors.js';
import type { App } from '../http/types.js';
import { LiveWatches } from '../services/subscriptions/live-watches.js';
import { connectRedis, redisTargetOf } from '../store/redis.js';
import { catalogRuntime } from './catalog-runtime.js';
import type { Feature } from './feature.js';
import { mcpCheckoutBindings } from './mcp-checkout.js';
import { mcpReadParts } from './mcp-read.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export const MCP_ENDPOINT_PATH = '/mcp';
const CHALLENGE = 'Bearer realm="mcp"';

const INSTRUCTIONS =
  "Tools over one merchant's catalog and checkout. Every answer about a product is the " +
  "merchant's own decision for a market and buyer (context): read each decision's result and " +
  'blockers, and ask again after validUntil. A blocked result is an answer, not an error.';

/** The regions profiles are kept for: the only ones a tool takes (as the profile API does). */
function regionsOf(ctx: AppContext): [string, ...string[]] {
  const { EVALUATION_CONTEXTS, FEED_CONTEXT } = ctx.config;
  return [...new Set([FEED_CONTEXT, ...EVALUATION_CONTEXTS].map((c) => c.region))] as [
    string,
    ...string[],
  ];
}

function jsonRpcError(reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).send({ jsonrpc: '2.0', id: null, error: { code, message } });
}

/** The request's Mcp-Session-Id, if it sent one (a repeated header is not one). */
function sessionHeader(request: FastifyRequest): string | undefined {
  const value = request.headers['mcp-session-id'];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a POST body opens a session: an initialize request (alone or in a batch). */
function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (message) =>
      typeof message === 'object' &&
      message !== null &&
      (message as { method?: unknown }).method === 'initialize',
  );
}

async function routes(app: App, ctx: AppContext): Promise<void> {
  // Bodies refused before the handler (not JSON, too large) answer JSON-RPC too.
  app.setErrorHandler(mcpTransportErrorHandler);
  const profiles = catalogRuntime(ctx).profiles;
  const watches = new LiveWatches({
    redis: ctx.producer,
    prefix: ctx.config.KEY_PREFIX,
    clock: ctx.clock,
    idleMs: ctx.config.MCP_SESSION_IDLE_MS,
    subscriber: () => connectRedis(redisTargetOf(ctx.config), 'worker'),
    onError: (err, tenant) =>
      ctx.logger.warn({ err, tenant }, 'MCP resource notifications: a change was not told'),
    onStreams: (open) => ctx.metrics.mcpStreams.set(open),
  });
  const reads = mcpReadParts(ctx, regionsOf(ctx), watches);
  const tools = new ToolSet([
    ...readinessBindings(readinessTools(regionsOf(ctx)), profiles),
    ...reads.bindings,
    ...mcpCheckoutBindings(app, ctx, regionsOf(ctx)),
  ]);
  const deps = {
    tools,
    resources: reads.resources,
    serverInfo: { name: 'agent-commerce-worker', version: PACKAGE_VERSION },
    instructions: INSTRUCTIONS,
  };
  // Open GET streams end when the service closes (a held stream would keep fastify from closing).
  let shutDown: () => void = () => undefined;
  const closing = new Promise<void>((resolve) => {
    shutDown = resolve;
  });
  app.addHook('preClose', async () => shutDown());
  app.addHook('onClose', () => watches.closeConnection());

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(ctx.config.AUTH_TOKENS, request.headers.authorization);
    if (caller === undefined) {
      reply.header('www-authenticate', CHALLENGE);
      return jsonRpcError(reply, 401, -32001, 'Unauthorized: send a bearer token of your tenant');
    }
    const mcpCaller: McpCaller = { tenant: caller.tenant, callerId: caller.callerId };
    const sessionId = sessionHeader(request);
    if (sessionId !== undefined) {
      // Any replica answers any request of a session: it lives in Redis, kept alive by each use.
      if (!(await watches.touch(caller.tenant, sessionId, caller.callerId)))
        return jsonRpcError(reply, 404, -32001, 'Session not found: initialize again');
      mcpCaller.sessionId = sessionId;
    }
    request.mcpCaller = mcpCaller;
  };

  app.post(MCP_ENDPOINT_PATH, { onRequest: authenticate }, async (request, reply) => {
    const caller = request.mcpCaller;
    if (caller === undefined) return jsonRpcError(reply, 401, -32001, 'Unauthorized');
    if (caller.sessionId === undefined && isInitialize(request.body)) {
      // Node merges this header into the one the SDK's transport writes its answer with.
      const sessionId = await watches.open(caller.tenant, caller.callerId);
      reply.raw.setHeader('mcp-session-id', sessionId);
    }
    await serveMcp(deps, caller, request, reply);
  });

  app.get(MCP_ENDPOINT_PATH, { onRequest: authenticate }, async (request, reply) => {
    const caller = request.mcpCaller;
    if (caller === undefined) return jsonRpcError(reply, 401, -32001, 'Unauthorized');
    const { sessionId } = caller;
    if (sessionId === undefined)
      return jsonRpcError(
        reply.header('allow', 'POST'),
        405,
        -32000,
        'Method not allowed: a GET stream belongs to a session; initialize and send its Mcp-Session-Id',
      );
    const touchEveryMs = Math.floor(ctx.config.MCP_SESSION_IDLE_MS / 3);
    const ended = sessionEnded(watches, caller, sessionId, closing, touchEveryMs);
    reply.raw.once('close', ended.cancel);
    const served = await serveMcpStream(deps, caller, request, reply, {
      listen: (listener) => watches.listen(caller.tenant, sessionId, caller.callerId, listener),
      ended: ended.promise,
    });
    if (!served) {
      ended.cancel();
      return jsonRpcError(reply, 404, -32001, 'Session not found: initialize again');
    }
  });

  app.delete(MCP_ENDPOINT_PATH, { onRequest: authenticate }, async (request, reply) => {
    const caller = request.mcpCaller;
    if (caller === undefined) return jsonRpcError(reply, 401, -32001, 'Unauthorized');
    if (caller.sessionId === undefined)
      return jsonRpcError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    if (!(await watches.close(caller.tenant, caller.sessionId, caller.callerId)))
      return jsonRpcError(reply, 404, -32001, 'Session not found');
    return reply.code(200).send();
  });
}

/**
 * Resolves when a GET stream must end: the service is closing, or the session is gone (closed
 * by a DELETE on any replica, or another way). The stream keeps its session alive meanwhile,
 * touching it a few times per idle time.
 */
function sessionEnded(
  watches: LiveWatches,
  caller: McpCaller,
  sessionId: string,
  closing: Promise<void>,
  touchEveryMs: number,
): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    void closing.then(resolve);
    timer = setInterval(() => {
      watches.touch(caller.tenant, sessionId, caller.callerId).then(
        (alive) => {
          if (!alive) resolve();
        },
        () => undefined,
      );
    }, touchEveryMs);
    timer.unref();
  });
  void promise.then(() => clearInterval(timer));
  return { promise, cancel: () => clearInterval(timer) };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated MCP caller, set by the endpoint's hook. */
    mcpCaller?: import('../http/mcp/tool-runner.js').McpCaller;
  }
}

/** MCP over Streamable HTTP at POST /mcp: the same services as tools an LLM agent can call. */
export const mcpFeature: Feature = {
  name: 'mcp',
  publicRoutes: routes,
};
