import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { A2aHarness } from '../helpers/a2a.js';
import { ACME_TOKEN, OTHER_TOKEN, startMcpHarness } from '../helpers/mcp.js';
import {
  mcpSpecValidator,
  publishedSchemaValidator,
  recordingClient,
  type WireResponse,
} from '../helpers/mcp-spec.js';
import { specsAvailable } from '../helpers/specs.js';

/**
 * search_products and get_policy_terms (issue 12) through the official SDK client over
 * Streamable HTTP, against the Travel Backpack at the scenario's now. Every result is checked
 * as it crossed the wire: against the MCP schema's CallToolResult (when the spec files are
 * there) and, when it succeeded, against the tool's own published outputSchema.
 */
interface Decision {
  action: string;
  policyDomain?: string;
  result: string;
  blockers: { code: string; nextAction: string }[];
}
interface TermsOut {
  productId: string;
  found: boolean;
  policyDomain: string;
  decision: Decision;
  terms?: Record<string, unknown>;
  sources?: { policyId: string; version: number; source: string }[];
  statement: string;
}
interface SearchOut {
  context: { region: string };
  products: {
    productId: string;
    title: string;
    price: { amount: number; currency: string } | null;
    availability: string;
    description?: string;
    actions: { action: string; result: string; blockers: string[] }[];
  }[];
  nextCursor?: string;
}

const READ_TOOLS = ['search_products', 'get_policy_terms', 'get_product_readiness'];

describe('MCP read tools with the official SDK client', () => {
  let harness: A2aHarness;
  let acme: Awaited<ReturnType<typeof recordingClient>>;
  let other: Awaited<ReturnType<typeof recordingClient>>;
  let tools: Tool[];

  beforeAll(async () => {
    harness = await startMcpHarness();
    acme = await recordingClient(harness.baseUrl, ACME_TOKEN);
    other = await recordingClient(harness.baseUrl, OTHER_TOKEN);
    tools = (await acme.client.listTools()).tools;
  });
  afterAll(async () => {
    await acme?.client.close();
    await other?.client.close();
    await harness?.close();
  });

  /** Calls a tool and checks the result on the wire against both schemas; returns it. */
  async function call(
    who: typeof acme,
    name: string,
    args: Record<string, unknown>,
  ): Promise<WireResponse['result'] & { isError?: boolean }> {
    await who.client.callTool({ name, arguments: args });
    const wire = who.last();
    expect(wire.error).toBeUndefined();
    const result = wire.result as Record<string, unknown> & { isError?: boolean };
    if (specsAvailable) {
      const validate = mcpSpecValidator('CallToolResult');
      expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    }
    if (result.isError !== true) {
      const tool = tools.find((t) => t.name === name);
      if (tool?.outputSchema === undefined) throw new Error(`${name} has no outputSchema`);
      const validate = publishedSchemaValidator(tool.outputSchema);
      expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
      // the text copy says the same as the structured content
      const [text] = result.content as { type: string; text: string }[];
      expect(JSON.parse(text?.text ?? '')).toEqual(result.structuredContent);
    } else {
      expect(result.structuredContent).toBeUndefined();
    }
    return result;
  }

  const terms = async (policyDomain: string, region = 'EU', who = acme) =>
    (
      await call(who, 'get_policy_terms', {
        productId: 'BAG-TRAVEL-42',
        policyDomain,
        context: { region },
      })
    ).structuredContent as unknown as TermsOut;

  const search = async (args: Record<string, unknown>, who = acme) =>
    (await call(who, 'search_products', args)).structuredContent as unknown as SearchOut;

  describe('tools/list', () => {
    it('lists the read tools, each with an input and an output schema and read-only hints', () => {
      for (const name of READ_TOOLS) {
        const tool = tools.find((t) => t.name === name);
        expect(tool?.inputSchema.type, name).toBe('object');
        expect(tool?.outputSchema?.type, name).toBe('object');
        expect(tool?.annotations?.readOnlyHint, name).toBe(true);
        expect(tool?.annotations?.destructiveHint, name).toBe(false);
      }
    });

    it('describes what each tool can do, never that an answer will be "allowed"', () => {
      for (const name of READ_TOOLS) {
        const description = tools.find((t) => t.name === name)?.description ?? '';
        expect(description.length, name).toBeGreaterThan(80);
        expect(description, name).not.toMatch(/\ballow(ed|s)?\b/i);
      }
    });

    it('names the required arguments and the policy domains an agent may ask for', () => {
      const tool = tools.find((t) => t.name === 'get_policy_terms');
      expect(tool?.inputSchema.required).toEqual(['productId', 'policyDomain']);
      const properties = tool?.inputSchema.properties as Record<string, { enum?: string[] }>;
      expect(properties.policyDomain?.enum).toEqual([
        'returns',
        'shipping',
        'warranty',
        'cancellation',
      ]);
      expect(tools.find((t) => t.name === 'search_products')?.inputSchema.required ?? []).toEqual(
        [],
      );
    });
  });

  it.skipIf(!specsAvailable)('initializes and lists tools as the MCP schema says', () => {
    const initialize = acme.responses.find((r) => r.result?.protocolVersion !== undefined);
    const listed = acme.responses.find((r) => r.result?.tools !== undefined);
    for (const [def, wire] of [
      ['InitializeResult', initialize],
      ['ListToolsResult', listed],
    ] as const) {
      const validate = mcpSpecValidator(def);
      expect(validate(wire?.result), `${def}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(initialize?.result?.capabilities).toMatchObject({ tools: {}, resources: {} });
  });

  it.skipIf(!specsAvailable)('checks results with validators that can refuse one', () => {
    const validate = mcpSpecValidator('CallToolResult');
    expect(validate({ content: [{ type: 'text', text: 'x' }], isError: true })).toBe(true);
    expect(validate({ content: 'x' })).toBe(false);
    expect(validate({ structuredContent: {} })).toBe(false);
    const tool = tools.find((t) => t.name === 'get_policy_terms');
    const output = publishedSchemaValidator(tool?.outputSchema ?? {});
    expect(output({ productId: 'X', found: true })).toBe(false);
  });

  describe('get_policy_terms on the Travel Backpack', () => {
    it('answers returns as a blocked decision with RETURN_POLICY_MISSING and no terms', async () => {
      const out = await terms('returns');
      expect(out.found).toBe(true);
      expect(out.decision.result).toBe('blocked');
      expect(out.decision.blockers.map((b) => b.code)).toEqual(['RETURN_POLICY_MISSING']);
      expect(out.decision.blockers[0]?.nextAction).toMatch(/return-policy coverage/);
      expect(out).not.toHaveProperty('terms');
      expect(out).not.toHaveProperty('sources');
      expect(out.statement).toMatch(/may not be quoted/);
      expect(out.statement).toContain('RETURN_POLICY_MISSING');
    });

    it('quotes the EU shipping terms from the stored policy fact', async () => {
      const out = await terms('shipping');
      expect(out.decision.result).toBe('allowed');
      expect(out.terms).toEqual({ days: '2-4', fee: { amount: 0, currency: 'EUR' } });
      expect(out.sources).toEqual([{ policyId: 'shipping-eu', version: 1, source: 'logistics' }]);
      expect(out.statement).toMatch(/may be quoted/);
    });

    it('quotes the warranty terms', async () => {
      const out = await terms('warranty');
      expect(out.decision.result).toBe('allowed');
      expect(out.terms).toEqual({ months: 24 });
      expect(out.sources?.map((s) => s.policyId)).toEqual(['warranty-all']);
    });

    it('answers US shipping as blocked with SHIPPING_POLICY_MISSING and no terms', async () => {
      const out = await terms('shipping', 'US');
      expect(out.decision.result).toBe('blocked');
      expect(out.decision.blockers.map((b) => b.code)).toEqual(['SHIPPING_POLICY_MISSING']);
      expect(out.terms).toBeUndefined();
    });

    it('answers an unknown product as not found and blocked, quoting nothing', async () => {
      const out = (
        await call(acme, 'get_policy_terms', { productId: 'NO-SUCH-BAG', policyDomain: 'warranty' })
      ).structuredContent as unknown as TermsOut;
      expect(out.found).toBe(false);
      expect(out.decision.result).toBe('blocked');
      expect(out.terms).toBeUndefined();
    });

    it('refuses a policy domain it does not know, naming the argument', async () => {
      const result = await call(acme, 'get_policy_terms', {
        productId: 'BAG-TRAVEL-42',
        policyDomain: 'refunds',
        extra: 1,
      });
      expect(result.isError).toBe(true);
      const text = (result.content as { text: string }[])[0]?.text ?? '';
      expect(text).toMatch(/- policyDomain:/);
      expect(text).toMatch(/extra/);
    });
  });

  describe('search_products', () => {
    it('finds the backpack for an EU consumer, with every action result', async () => {
      const out = await search({ context: { region: 'EU' } });
      expect(out.context.region).toBe('EU');
      const bag = out.products.find((p) => p.productId === 'BAG-TRAVEL-42');
      expect(bag?.title).toBe('Travel Backpack');
      const results = Object.fromEntries(
        (bag?.actions ?? []).map((a) => [a.action, [a.result, ...a.blockers]]),
      );
      expect(results).toEqual({
        discover: ['allowed'],
        compare: ['allowed'],
        quote_policy: ['blocked', 'RETURN_POLICY_MISSING'],
        add_to_cart: ['requires_revalidation', 'INVENTORY_STALE'],
        prepare_checkout: ['blocked', 'INVENTORY_STALE', 'RETURN_POLICY_MISSING'],
        delegate_payment: [
          'blocked',
          'CHECKOUT_NOT_READY',
          'INVENTORY_STALE',
          'RETURN_POLICY_MISSING',
        ],
      });
      // the fresh price may be stated; the stale stock may not; the pending text is not shown
      expect(bag?.price).toEqual({ amount: 12900, currency: 'EUR' });
      expect(bag?.availability).toBe('unknown');
      expect(bag?.description).toBeUndefined();
      expect(out.nextCursor).toBeUndefined();
    });

    it('matches text and category, by slug or by name, and nothing else', async () => {
      const ids = async (args: Record<string, unknown>) =>
        (await search(args)).products.map((p) => p.productId);
      expect(await ids({ text: 'travel BACKPACK' })).toEqual(['BAG-TRAVEL-42']);
      expect(await ids({ category: 'Travel Bags' })).toEqual(['BAG-TRAVEL-42']);
      expect(await ids({ category: 'travel-bags', text: 'bag-travel' })).toEqual(['BAG-TRAVEL-42']);
      expect(await ids({ text: 'lightest carry-on' })).toEqual([]);
      expect(await ids({ category: 'apparel' })).toEqual([]);
    });

    it('refuses bad paging arguments, naming each', async () => {
      const result = await call(acme, 'search_products', { limit: 0, cursor: 'not-a-cursor' });
      expect(result.isError).toBe(true);
      expect((result.content as { text: string }[])[0]?.text).toMatch(/- limit:/);
      const cursor = await call(acme, 'search_products', { cursor: 'not-a-cursor' });
      expect(cursor.isError).toBe(true);
      expect((cursor.content as { text: string }[])[0]?.text).toMatch(/- cursor:/);
    });
  });

  describe('get_product_readiness', () => {
    it('answers on the wire as its schemas say, and refuses bad arguments the same way', async () => {
      const ok = await call(acme, 'get_product_readiness', { productId: 'BAG-TRAVEL-42' });
      const profile = ok.structuredContent as { found: boolean; decisions: Decision[] };
      expect(profile.found).toBe(true);
      expect(profile.decisions.find((d) => d.policyDomain === 'returns')?.result).toBe('blocked');
      const bad = await call(acme, 'get_product_readiness', { context: { region: 'MARS' } });
      expect(bad.isError).toBe(true);
      expect((bad.content as { text: string }[])[0]?.text).toMatch(/- productId:/);
    });
  });

  describe('another tenant', () => {
    it("finds none of acme's products and reads none of its terms or decisions", async () => {
      const out = await search({ context: { region: 'EU' } }, other);
      expect(out.products).toEqual([]);
      expect((await search({ text: 'backpack' }, other)).products).toEqual([]);
      const returns = await terms('warranty', 'EU', other);
      expect(returns.found).toBe(false);
      expect(returns.terms).toBeUndefined();
      const readiness = (await call(other, 'get_product_readiness', { productId: 'BAG-TRAVEL-42' }))
        .structuredContent as { found: boolean };
      expect(readiness.found).toBe(false);
    });
  });
});
