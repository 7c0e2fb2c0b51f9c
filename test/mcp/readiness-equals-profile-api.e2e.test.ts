import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { mcpFeature } from '../../src/app/mcp.js';
import type { manualClock } from '../../src/clock.js';
import { BUYER_TYPES, CHANNELS, type EvaluationContext } from '../../src/domain/index.js';
import type { A2aHarness } from '../helpers/a2a.js';
import { ACME_TOKEN, connectClient, startMcpHarness, structuredOf } from '../helpers/mcp.js';
import { policiesArb, productArb } from '../support/arbitraries.js';
import { NOW_MS } from '../support/facts.js';

/**
 * get_product_readiness says what the profile API says (issue 12): the same decisions, field for
 * field (MCP leaves out only the redundant `allowed`), for the Travel Backpack and for generated
 * products, policies, contexts and instants — half of them with a stored profile the jobs wrote,
 * the others decided on read. Both over real HTTP on one server and one Redis.
 */
const NUM_RUNS = 60;
const HOUR_MS = 3_600_000;

interface ApiBody {
  source: string;
  profile: {
    productId: string;
    context: EvaluationContext;
    evaluatedAt: string;
    validUntil: string | null;
    rulesetVersion: string;
    decisions: ({ allowed: boolean; result: string } & Record<string, unknown>)[];
  };
}
interface McpProfile {
  productId: string;
  found: boolean;
  context: EvaluationContext;
  evaluatedAt: string;
  validUntil: string | null;
  rulesetVersion: string;
  decisions: Record<string, unknown>[];
}

describe('get_product_readiness equals the profile API', () => {
  let harness: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    harness = await startMcpHarness({ features: [mcpFeature, catalogFeature] });
    client = await connectClient(harness.baseUrl, ACME_TOKEN);
  });
  afterAll(async () => {
    await client?.close();
    await harness?.close();
  });

  async function profileApi(productId: string, context: EvaluationContext): Promise<ApiBody> {
    const query = new URLSearchParams({ ...context });
    const response = await fetch(
      `${harness.baseUrl}/v1/products/${encodeURIComponent(productId)}/profile?${query}`,
      { headers: { authorization: `Bearer ${ACME_TOKEN}` } },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as ApiBody;
  }

  async function viaMcp(productId: string, context: EvaluationContext): Promise<McpProfile> {
    return structuredOf<McpProfile>(
      await client.callTool({ name: 'get_product_readiness', arguments: { productId, context } }),
    );
  }

  /** The API's answer in MCP's shape: `allowed` dropped once it is seen to restate `result`. */
  function asMcp(body: ApiBody): Omit<McpProfile, 'found'> {
    const { profile } = body;
    return {
      productId: profile.productId,
      context: profile.context,
      evaluatedAt: profile.evaluatedAt,
      validUntil: profile.validUntil,
      rulesetVersion: profile.rulesetVersion,
      decisions: profile.decisions.map(({ allowed, ...rest }) => {
        expect(allowed).toBe(rest.result === 'allowed');
        return rest;
      }),
    };
  }

  async function expectSame(productId: string, context: EvaluationContext) {
    const [mcp, api] = [await viaMcp(productId, context), await profileApi(productId, context)];
    const { found, ...rest } = mcp;
    expect(found).toBe(true);
    expect(rest).toEqual(asMcp(api));
    return { mcp, api };
  }

  it('for the Travel Backpack, EU and US', async () => {
    for (const region of ['EU', 'US']) {
      const { mcp } = await expectSame('BAG-TRAVEL-42', {
        region,
        buyerType: 'consumer',
        channel: 'agent',
      });
      expect(mcp.decisions).toHaveLength(10);
    }
  });

  it(`for generated products, policies, contexts and instants (${NUM_RUNS} cases)`, async () => {
    const runtime = catalogRuntime(harness.ctx);
    const stores = runtime.storesOf('acme');
    const clock = harness.clock as ReturnType<typeof manualClock>;
    const start = clock.nowMs();
    const sources = new Set<string>();
    try {
      await fc.assert(
        fc.asyncProperty(
          productArb,
          policiesArb,
          fc.record({
            region: fc.constantFrom('EU', 'US'),
            buyerType: fc.constantFrom(...BUYER_TYPES),
            channel: fc.constantFrom(...CHANNELS),
          }),
          fc.integer({ min: -24, max: 72 }).map((h) => NOW_MS + h * HOUR_MS),
          fc.boolean(),
          async (product, policies, context, nowMs, stored) => {
            for (const old of await stores.catalog.listPolicies())
              await runtime.catalog.deletePolicy('acme', old.id);
            for (const policy of policies) await runtime.catalog.putPolicy('acme', policy);
            await runtime.catalog.putProducts('acme', [product]);
            // a profile the jobs wrote earlier, still current or not by now
            if (stored)
              await runtime.evaluation.evaluateBatch(stores, [product.id], nowMs - HOUR_MS);
            clock.set(nowMs);
            sources.add((await expectSame(product.id, context)).api.source);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    } finally {
      clock.set(start);
    }
    // both ways a profile is served were compared: stored while current, decided on read
    expect([...sources].sort()).toEqual(['evaluated', 'stored']);
  });
});
