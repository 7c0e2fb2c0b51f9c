import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullCatalogResult } from '../../jobs/pull-catalog.job.js';
import { catalogFeature } from '../../src/app/catalog.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  nextCompleted,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

describe('catalog pull', () => {
  let server: LoopbackServer;
  let t: CatalogTestContext;
  let failuresLeft = 1;

  beforeAll(async () => {
    const nowMs = Date.now();
    const pages: Record<string, unknown> = {
      '': {
        products: [readyProduct('PULL-1', nowMs)],
        policies: coveringPolicies(),
        nextCursor: 'p2',
      },
      p2: {
        products: [readyProduct('PULL-2', nowMs), readyProduct('PULL-3', nowMs)],
        nextCursor: null,
      },
    };
    server = await loopbackServer((request, response) => {
      const cursor = new URL(request.url, 'http://x').searchParams.get('cursor') ?? '';
      // The second page fails once with a 503: the source retries it with backoff.
      if (cursor === 'p2' && failuresLeft > 0) {
        failuresLeft -= 1;
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(pages[cursor]));
    });
    t = await catalogTestContext({
      CATALOG_URL: server.url,
      CATALOG_TENANT: TENANT,
      CATALOG_PULL_TIMEOUT_MS: '2000',
    });
    t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('pages through the cursor, retries a 503 and ingests every page', async () => {
    const done = nextCompleted<PullCatalogResult>(t.events.pullCatalog);
    await catalogFeature.startSchedulers!(t.ctx);
    const result = await done;
    expect(result).toEqual({ pages: 2, products: 3, policies: 2 });
    const cursors = server.requests.map((r) =>
      new URL(r.url, 'http://x').searchParams.get('cursor'),
    );
    expect(cursors).toEqual([null, 'p2', 'p2']);
    const stored = await t.runtime
      .storesOf(TENANT)
      .catalog.getProducts(['PULL-1', 'PULL-2', 'PULL-3']);
    expect(stored.map((p) => p?.id)).toEqual(['PULL-1', 'PULL-2', 'PULL-3']);
    await t.runtime.queues.pullCatalog.removeJobScheduler(`pull-catalog:${TENANT}`);
  });
});

describe('catalog pull of an invalid page', () => {
  let server: LoopbackServer;
  let t: CatalogTestContext;

  beforeAll(async () => {
    server = await loopbackServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ products: [{ id: 'BAD', title: '' }] }));
    });
    t = await catalogTestContext({ CATALOG_URL: server.url, CATALOG_TENANT: TENANT });
    t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('fails the job without retrying and writes nothing', async () => {
    const failed = new Promise<{ failedReason: string }>((resolve) =>
      t.events.pullCatalog.once('failed', resolve),
    );
    await t.runtime.queues.pullCatalog.add('pull', { tenant: TENANT }, { attempts: 3 });
    const { failedReason } = await failed;
    expect(failedReason).toMatch(/products\[0\]\.title/);
    expect(server.requests).toHaveLength(1);
    expect(await t.runtime.storesOf(TENANT).catalog.countProducts()).toBe(0);
  });
});
