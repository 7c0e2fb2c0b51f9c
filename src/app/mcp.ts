import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readinessTools } from '../adapters/mcp/readiness-tools.js';
import type { AppContext } from '../app-context.js';
import { callerOf } from '../http/a2a/caller.js';
import { serveMcp } from '../http/mcp/mcp-endpoint.js';
import { readinessBindings } from '../http/mcp/readiness-bindings.js';
import { ToolSet } from '../http/mcp/tool-runner.js';
import { mcpTransportErrorHandler } from '../http/mcp/transport-errors.js';
import type { App } from '../http/types.js';
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

async function routes(app: App, ctx: AppContext): Promise<void> {
  // Bodies refused before the handler (not JSON, too large) answer JSON-RPC too.
  app.setErrorHandler(mcpTransportErrorHandler);
  const profiles = catalogRuntime(ctx).profiles;
  const reads = mcpReadParts(ctx, regionsOf(ctx));
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

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(ctx.config.AUTH_TOKENS, request.headers.authorization);
    if (caller === undefined) {
      reply.header('www-authenticate', CHALLENGE);
      return jsonRpcError(reply, 401, -32001, 'Unauthorized: send a bearer token of your tenant');
    }
    request.mcpCaller = { tenant: caller.tenant, callerId: caller.callerId };
  };

  app.post(MCP_ENDPOINT_PATH, { onRequest: authenticate }, async (request, reply) => {
    const caller = request.mcpCaller;
    if (caller === undefined) return jsonRpcError(reply, 401, -32001, 'Unauthorized');
    await serveMcp(deps, caller, request, reply);
  });
  // Stateless: no server-initiated stream to open and no session to end.
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: MCP_ENDPOINT_PATH,
      handler: async (_request, reply) =>
        jsonRpcError(
          reply.header('allow', 'POST'),
          405,
          -32000,
          'Method not allowed: this server is stateless; POST JSON-RPC messages',
        ),
    });
  }
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
