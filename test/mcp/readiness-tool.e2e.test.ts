import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { A2aHarness } from '../helpers/a2a.js';
import { ACME_TOKEN, connectClient, startMcpHarness, structuredOf } from '../helpers/mcp.js';

interface ProfileOut {
  found: boolean;
  decisions: {
    action: string;
    policyDomain?: string;
    result: string;
    blockers: { code: string }[];
  }[];
}

describe('MCP get_product_readiness with the official SDK client', () => {
  let harness: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    harness = await startMcpHarness();
    client = await connectClient(harness.baseUrl, ACME_TOKEN);
  });
  afterAll(async () => {
    await client.close();
    await harness.close();
  });

  it('lists the tool with its input and output schemas', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'get_product_readiness');
    expect(tool?.inputSchema.required).toEqual(['productId']);
    expect(tool?.outputSchema?.type).toBe('object');
    expect(tool?.annotations?.readOnlyHint).toBe(true);
  });

  it('answers the Travel Backpack as the DESIGN.md scenario table says', async () => {
    const result = await client.callTool({
      name: 'get_product_readiness',
      arguments: { productId: 'BAG-TRAVEL-42', context: { region: 'EU' } },
    });
    const profile = structuredOf<ProfileOut>(result);
    expect(profile.found).toBe(true);
    const returns = profile.decisions.find((d) => d.policyDomain === 'returns');
    expect(returns?.result).toBe('blocked');
    expect(returns?.blockers.map((b) => b.code)).toContain('RETURN_POLICY_MISSING');
    expect(profile.decisions.find((d) => d.action === 'add_to_cart')?.result).toBe(
      'requires_revalidation',
    );
  });

  it('refuses bad arguments naming each problem by path, without structured content', async () => {
    const result = await client.callTool({
      name: 'get_product_readiness',
      arguments: { productId: '', context: { region: 'MARS', channel: 'x' } },
    });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    const text = (result.content as { text: string }[])[0]?.text ?? '';
    expect(text).toMatch(/productId:/);
    expect(text).toMatch(/context\.region:/);
    expect(text).toMatch(/context\.channel:/);
  });

  it('answers 401 with WWW-Authenticate without a token', async () => {
    const response = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });
});
