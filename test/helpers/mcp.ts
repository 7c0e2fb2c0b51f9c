import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { a2aFeature } from '../../src/app/a2a.js';
import { mcpFeature } from '../../src/app/mcp.js';
import { type A2aHarness, type HarnessOptions, startA2aHarness } from './a2a.js';

export { ACME_TOKEN, OTHER_TOKEN } from './a2a.js';

/**
 * The MCP endpoint (and the A2A one beside it, for cross-surface checks) on a real server over
 * the run's Redis: tenant `acme` holds the Travel Backpack at the scenario's now, or with
 * `catalog: 'ready'` a purchasable backpack with loopback providers.
 */
export function startMcpHarness(options: HarnessOptions = {}): Promise<A2aHarness> {
  return startA2aHarness({ features: [mcpFeature, a2aFeature], ...options });
}

/** An official SDK client connected over Streamable HTTP with a tenant's bearer token. */
export async function connectClient(baseUrl: string, token?: string): Promise<Client> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
    requestInit: { headers },
  });
  const client = new Client({ name: 'acw-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** The structured content of a successful tool result (fails the test when it is an error). */
export function structuredOf<T = Record<string, unknown>>(result: unknown): T {
  const call = result as CallToolResult;
  if (call.isError === true) throw new Error(`tool error: ${JSON.stringify(call.content)}`);
  if (call.structuredContent === undefined) throw new Error('no structuredContent');
  return call.structuredContent as T;
}
