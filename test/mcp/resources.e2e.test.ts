import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import type { ProductFacts } from '../../src/domain/index.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import type { A2aHarness } from '../helpers/a2a.js';
import { ACME_TOKEN, OTHER_TOKEN, startMcpHarness } from '../helpers/mcp.js';
import { mcpSpecValidator, recordingClient } from '../helpers/mcp-spec.js';
import { specsAvailable } from '../helpers/specs.js';
import { freshInventory, freshPrice, listedProduct } from '../support/facts.js';

/**
 * MCP resources (issue 12): the product profile template and feed manifests, a resources/list
 * that pages, resources/read, and -32002 for what is not there; search_products paging over a
 * catalog larger than one page. Every answer is checked on the wire against the MCP schema.
 */
const SOCKS = 130;
const RETIRED = 20;
/** More than one search page may look at (2,000), so a page can end with no hit yet. */
const HAYSTACK = 2_100;

function sock(n: number, overrides: Partial<ProductFacts> = {}): ProductFacts {
  const id = `SOCK-${String(n).padStart(3, '0')}`;
  return listedProduct({
    id,
    sku: id,
    title: `Merino sock ${n}`,
    category: 'socks',
    categoryName: 'Socks',
    url: `https://shop.example.com/p/${id.toLowerCase()}`,
    ...overrides,
  });
}

describe('MCP resources and paging with the official SDK client', () => {
  let harness: A2aHarness;
  let feedDir: string;
  let acme: Awaited<ReturnType<typeof recordingClient>>;
  let other: Awaited<ReturnType<typeof recordingClient>>;

  beforeAll(async () => {
    feedDir = await mkdtemp(path.join(tmpdir(), 'acw-mcp-resources-'));
    harness = await startMcpHarness({ env: { FEED_DIR: feedDir } });
    const { config, redis } = harness.ctx;
    const nowMs = harness.clock.nowMs();
    // facts observed at the harness's now, so they are fresh there
    const fresh = { price: freshPrice(), inventory: freshInventory() };
    const at = new Date(nowMs).toISOString();
    fresh.price.observedAt = at;
    fresh.inventory.observedAt = at;
    const products = [
      ...Array.from({ length: SOCKS }, (_, i) => sock(i, fresh)),
      ...Array.from({ length: RETIRED }, (_, i) =>
        sock(i, { ...fresh, id: `OLD-${i}`, sku: `OLD-${i}`, status: 'inactive' }),
      ),
      sock(0, { ...fresh, id: 'KIT:001', sku: 'KIT:001', title: 'Sock kit' }),
    ];
    await new CatalogStore(redis, config.KEY_PREFIX, 'acme').putProducts(products);
    // tenant `other`: a haystack with one needle at the end
    await new CatalogStore(redis, config.KEY_PREFIX, 'other').putProducts(
      Array.from({ length: HAYSTACK }, (_, i) =>
        sock(i, {
          ...fresh,
          id: `HAY-${String(i).padStart(5, '0')}`,
          sku: undefined,
          title: i === HAYSTACK - 1 ? 'Needle' : 'Straw',
          description: undefined,
        }),
      ),
    );
    acme = await recordingClient(harness.baseUrl, ACME_TOKEN);
    other = await recordingClient(harness.baseUrl, OTHER_TOKEN);
  });
  afterAll(async () => {
    await acme?.client.close();
    await other?.client.close();
    await harness?.close();
    await rm(feedDir, { recursive: true, force: true });
  });

  /** The last response on the wire, valid against `$defs/<def>` of the MCP schema. */
  function checkWire(who: typeof acme, def: string) {
    const wire = who.last();
    if (specsAvailable) {
      const body = def === 'JSONRPCErrorResponse' ? { jsonrpc: '2.0', ...wire } : wire.result;
      const validate = mcpSpecValidator(def);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
    return wire;
  }

  async function readError(who: typeof acme, uri: string): Promise<McpError> {
    const error = await who.client.readResource({ uri }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof McpError)) throw new Error(`expected an MCP error for ${uri}`);
    checkWire(who, 'JSONRPCErrorResponse');
    return error;
  }

  async function readJson(uri: string): Promise<Record<string, unknown>> {
    const result = await acme.client.readResource({ uri });
    checkWire(acme, 'ReadResourceResult');
    expect(result.contents).toHaveLength(1);
    const [content] = result.contents as { uri: string; mimeType: string; text: string }[];
    expect(content?.uri).toBe(uri);
    expect(content?.mimeType).toBe('application/json');
    return JSON.parse(content?.text ?? '');
  }

  it('declares resources and lists the two templates', async () => {
    expect(acme.client.getServerCapabilities()?.resources).toBeDefined();
    const { resourceTemplates } = await acme.client.listResourceTemplates();
    checkWire(acme, 'ListResourceTemplatesResult');
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'product://{id}/profile{?context}',
      'feed://{name}',
    ]);
    for (const template of resourceTemplates) expect(template.description).toBeTruthy();
  });

  it('reads a product profile as get_product_readiness answers it', async () => {
    const uri = 'product://BAG-TRAVEL-42/profile?context=EU:consumer:agent';
    const profile = await readJson(uri);
    const tool = await acme.client.callTool({
      name: 'get_product_readiness',
      arguments: { productId: 'BAG-TRAVEL-42', context: { region: 'EU' } },
    });
    expect(profile).toEqual(tool.structuredContent);
    // the context's parts default as the tool's do
    expect(await readJson('product://BAG-TRAVEL-42/profile')).toEqual(profile);
    const us = (await readJson('product://BAG-TRAVEL-42/profile?context=US')) as {
      context: { region: string };
      decisions: { policyDomain?: string; result: string }[];
    };
    expect(us.context.region).toBe('US');
    expect(us.decisions.find((d) => d.policyDomain === 'shipping')?.result).toBe('blocked');
    // an id with a colon travels percent-encoded
    const kit = await readJson('product://KIT%3A001/profile?context=EU');
    expect(kit.productId).toBe('KIT:001');
  });

  it('answers -32002 for a product, scheme or feed that is not there', async () => {
    for (const uri of [
      'product://NO-SUCH-BAG/profile',
      'gopher://BAG-TRAVEL-42/profile',
      'product://BAG-TRAVEL-42/audit',
      'feed://no-such-feed',
      'feed://openai-flat',
    ]) {
      const error = await readError(acme, uri);
      expect(error.code, uri).toBe(-32002);
      expect(acme.last().error?.message, uri).toMatch(/^Resource not found: /);
      expect(acme.last().error?.data).toEqual({ uri });
    }
    // another tenant's product is not there for this one
    expect((await readError(other, 'product://BAG-TRAVEL-42/profile')).code).toBe(-32002);
  });

  it('refuses a context it does not serve with -32602, naming the part', async () => {
    const region = await readError(acme, 'product://BAG-TRAVEL-42/profile?context=MARS');
    expect(region.code).toBe(-32602);
    expect(region.message).toMatch(/context\.region/);
    const parts = await readError(
      acme,
      'product://BAG-TRAVEL-42/profile?context=EU:consumer:agent:x',
    );
    expect(parts.code).toBe(-32602);
    const unknown = await readError(acme, 'product://BAG-TRAVEL-42/profile?regoin=EU');
    expect(unknown.message).toMatch(/regoin: unknown parameter/);
  });

  it('lists every discoverable product once, in pages, and the published feed manifests', async () => {
    await catalogRuntime(harness.ctx).feeds.publish('acme', 'agent');
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await acme.client.listResources(cursor === undefined ? {} : { cursor });
      checkWire(acme, 'ListResourcesResult');
      pages += 1;
      seen.push(...page.resources.map((r) => r.uri));
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[0]).toBe('feed://agent');
    const products = seen.filter((uri) => uri.startsWith('product://'));
    // the backpack, every active sock and the kit; no inactive product
    expect(products).toHaveLength(1 + SOCKS + 1);
    expect(products.some((uri) => uri.includes('OLD-'))).toBe(false);
    expect(products).toContain('product://KIT%3A001/profile?context=EU:consumer:agent');
    // the manifest is the one the feed route serves
    const manifest = await readJson('feed://agent');
    const latest = await catalogRuntime(harness.ctx).feeds.latest('acme', 'agent');
    expect(manifest).toEqual(latest?.manifest);
    // the agent feed lists every product with its results, undiscoverable ones too
    expect(manifest.count).toBe(1 + SOCKS + RETIRED + 1);
  });

  it('refuses a resources/list cursor it did not issue', async () => {
    const error = await acme.client.listResources({ cursor: 'bm9wZQ' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
  });

  it('search_products pages through a category: every product once, in order', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 40; page += 1) {
      const result = await acme.client.callTool({
        name: 'search_products',
        arguments: { category: 'socks', limit: 7, ...(cursor === undefined ? {} : { cursor }) },
      });
      const out = result.structuredContent as {
        products: { productId: string }[];
        nextCursor?: string;
      };
      expect(out.products.length).toBeLessThanOrEqual(7);
      ids.push(...out.products.map((p) => p.productId));
      cursor = out.nextCursor;
      if (cursor === undefined) break;
    }
    expect(cursor).toBeUndefined();
    const expected = [
      'KIT:001',
      ...Array.from({ length: SOCKS }, (_, i) => `SOCK-${String(i).padStart(3, '0')}`),
    ].sort();
    expect(ids).toEqual(expected);
  });

  it('search_products looks at a bounded part of a large catalog per page, and says where to go on', async () => {
    const first = await other.client.callTool({
      name: 'search_products',
      arguments: { text: 'needle' },
    });
    const page1 = first.structuredContent as { products: unknown[]; nextCursor?: string };
    expect(page1.products).toEqual([]);
    expect(page1.nextCursor).toBeDefined();
    const second = await other.client.callTool({
      name: 'search_products',
      arguments: { text: 'needle', cursor: page1.nextCursor },
    });
    const page2 = second.structuredContent as {
      products: { productId: string }[];
      nextCursor?: string;
    };
    expect(page2.products.map((p) => p.productId)).toEqual([
      `HAY-${String(HAYSTACK - 1).padStart(5, '0')}`,
    ]);
    expect(page2.nextCursor).toBeUndefined();
  });
});
