import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
 * One MCP exchange over Streamable HTTP, stateless: every POST gets its own server and
 * transport (no session id, JSON responses), so any ingress replica answers any request and
 * nothing is held between calls. The tool set and its JSON Schemas are built once, outside.
 */
export async function serveMcp(
  deps: McpEndpointDeps,
  caller: McpCaller,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const { resources } = deps;
  const server = new Server(deps.serverInfo, {
    capabilities: {
      tools: { listChanged: false },
      ...(resources === undefined ? {} : { resources: { listChanged: false, subscribe: false } }),
    },
    instructions: deps.instructions,
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: deps.tools.listed }));
  server.setRequestHandler(CallToolRequestSchema, async ({ params }) =>
    deps.tools.call(params.name, params.arguments, caller),
  );
  if (resources !== undefined) {
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => resources.templates);
    server.setRequestHandler(ListResourcesRequestSchema, async ({ params }) =>
      resources.list(params?.cursor, caller),
    );
    server.setRequestHandler(ReadResourceRequestSchema, async ({ params }) =>
      resources.read(params.uri, caller),
    );
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  reply.hijack();
  reply.raw.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(request.raw, reply.raw, request.body);
}
