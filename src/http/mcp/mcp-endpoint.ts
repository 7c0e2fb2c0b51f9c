import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  type CallToolRequest,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ResourceSet } from './resource-set.js';
import type { McpCaller, ToolSet } from './tool-runner.js';

export interface McpEndpointDeps {
  tools: ToolSet;
  /** product profiles and feed manifests as resources; without it the server offers none */
  resources?: ResourceSet;
  serverInfo: { name: string; version: string };
  instructions: string;
}

/**
 * The SDK's Server builds a new ajv instance in its constructor unless it is given a validator
 * (it checks elicitation answers with it, which this server never asks for). Built per request
 * it was the largest single cost of a tool call (bench/mcp); one instance serves every server.
 */
const schemaValidator = new AjvJsonSchemaValidator();

/**
 * `tools/call` as handed to the handler. The SDK's Server checks the request against its own
 * CallToolRequestSchema before the handler runs and refuses a malformed one with -32602 Invalid
 * params; given that schema here too, the layer below would parse it first and refuse with
 * -32603 Internal error instead (and parse every good call twice).
 */
const ToolsCallRequestSchema = z.object({ method: z.literal('tools/call'), params: z.unknown() });

/** The server one request is answered by: tools and resources, for one caller. */
function serverFor(deps: McpEndpointDeps, caller: McpCaller): Server {
  const { resources } = deps;
  const server = new Server(deps.serverInfo, {
    capabilities: {
      tools: { listChanged: false },
      ...(resources === undefined ? {} : { resources: { listChanged: false, subscribe: true } }),
    },
    instructions: deps.instructions,
    jsonSchemaValidator: schemaValidator,
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: deps.tools.listed }));
  server.setRequestHandler(ToolsCallRequestSchema, async (request) => {
    // The Server has checked it against CallToolRequestSchema (see above).
    const { params } = request as CallToolRequest;
    return deps.tools.call(params.name, params.arguments, caller);
  });
  if (resources !== undefined) {
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => resources.templates);
    server.setRequestHandler(ListResourcesRequestSchema, async ({ params }) =>
      resources.list(params?.cursor, caller),
    );
    server.setRequestHandler(ReadResourceRequestSchema, async ({ params }) =>
      resources.read(params.uri, caller),
    );
    server.setRequestHandler(SubscribeRequestSchema, async ({ params }) =>
      resources.subscribe(params.uri, caller),
    );
    server.setRequestHandler(UnsubscribeRequestSchema, async ({ params }) =>
      resources.unsubscribe(params.uri, caller),
    );
  }
  return server;
}

/**
 * One MCP exchange over Streamable HTTP: every POST gets its own server and transport (JSON
 * responses), so any ingress replica answers any request and nothing is held in memory between
 * calls. A session, when the client keeps one, lives in Redis (src/app/mcp.ts checks it); the
 * transport itself runs stateless. The tool set and its JSON Schemas are built once, outside.
 */
export async function serveMcp(
  deps: McpEndpointDeps,
  caller: McpCaller,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const server = serverFor(deps, caller);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  reply.hijack();
  reply.raw.on('close', () => {
    // A client that went away before its answer: closing aborts the handlers still running.
    // After a complete answer nothing is left to release (both objects are garbage now), and
    // closing would only build the SDK's "Connection closed" error, stack trace and all.
    if (!reply.raw.writableFinished) void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(request.raw, reply.raw, request.body);
}

/**
 * A session's GET stream: the server-to-client SSE stream its resources/updated notifications
 * travel on, held by this replica while the client keeps it open. `listen` registers the stream
 * for the session's changes and returns how to stop (undefined when the session is gone: then
 * nothing is answered and this resolves false). The stream ends when the client goes, when a
 * newer stream of the session replaces it, or when `ended` resolves (the session closed, or the
 * service is shutting down).
 */
export async function serveMcpStream(
  deps: McpEndpointDeps,
  caller: McpCaller,
  request: FastifyRequest,
  reply: FastifyReply,
  hooks: {
    listen(listener: {
      notify(uri: string): void;
      replaced(): void;
    }): Promise<(() => void) | undefined>;
    ended: Promise<unknown>;
  },
): Promise<boolean> {
  const server = serverFor(deps, caller);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  let closed = false;
  let stop: (() => void) | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    stop?.();
    void server.close();
  };
  stop = await hooks.listen({
    notify: (uri) => {
      server.sendResourceUpdated({ uri }).catch(() => undefined);
    },
    replaced: close,
  });
  if (stop === undefined) return false;
  if (closed) stop();
  reply.hijack();
  reply.raw.on('close', close);
  void hooks.ended.then(close);
  await server.connect(transport);
  await transport.handleRequest(request.raw, reply.raw);
  return true;
}
