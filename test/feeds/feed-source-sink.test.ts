import { createHash } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedPages } from '../../feeds/feed-pages.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
  TENANT_AUTH,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

/**
 * The feed store an operator runs behind FEED_SINK_URL (an object store, a WebDAV directory):
 * a real HTTP server on loopback keeping what is PUT and answering GETs of it. `mode` breaks it.
 */
function feedStore() {
  const objects = new Map<string, Buffer>();
  const state = { mode: 'ok' as 'ok' | 'down' | 'corrupt' };
  const server = loopbackServer((request, response) => {
    if (request.method === 'PUT') {
      objects.set(request.url, request.body);
      response.writeHead(201).end();
      return;
    }
    if (state.mode === 'down') {
      response.writeHead(503).end();
      return;
    }
    const body = objects.get(request.url);
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const served =
      state.mode === 'corrupt' && !request.url.endsWith('manifest.json')
        ? Buffer.from(body.toString().replace('SINK-1', 'SINK-X'))
        : body;
    response.writeHead(200).end(served);
  });
  return { objects, state, server };
}

const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

describe('FEED_SOURCE=sink: an ingress serves the feeds workers on another machine published', () => {
  const store = feedStore();
  let server: LoopbackServer;
  let workers: CatalogTestContext;
  let ingress: CatalogTestContext;
  let app: App;

  /** File GETs the store has answered so far (manifest reads excluded). */
  const fileReads = () =>
    server.requests.filter((r) => r.method === 'GET' && !r.url.endsWith('manifest.json')).length;
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...TENANT_AUTH, ...headers } });
  const publishAgent = async () => {
    const { manifest } = await workers.runtime.feeds.publish(TENANT, 'agent');
    if (manifest === undefined) throw new Error('the publish wrote no manifest');
    return manifest;
  };

  beforeAll(async () => {
    server = await store.server;
    const sinkEnv = { FEED_SINK_URL: `${server.url}/feeds`, FEED_SINK_RETRIES: '0' };
    workers = await catalogTestContext(sinkEnv);
    // Its own FEED_DIR (every context gets a fresh one): nothing is shared but the store.
    ingress = await catalogTestContext({ ...sinkEnv, FEED_SOURCE: 'sink' });
    app = await buildApp(ingress.ctx, [feedsFeature]);
    for (const policy of coveringPolicies())
      await workers.runtime.catalog.putPolicy(TENANT, policy);
    const nowMs = workers.ctx.clock.nowMs();
    await workers.runtime
      .storesOf(TENANT)
      .catalog.putProducts([readyProduct('SINK-1', nowMs), readyProduct('SINK-2', nowMs)]);
    // Tests run in random order: each finds the agent feed published and can publish again.
    await publishAgent();
  });
  afterAll(async () => {
    await app.close();
    await ingress.close();
    await workers.close();
    await server.close();
  });

  it('answers 404 for a feed the store does not hold', async () => {
    const res = await get('/v1/feeds/openai-flat');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves the published bytes with their ETag, copying the file once', async () => {
    const manifest = await publishAgent();
    expect(ingress.feedDir).not.toBe(workers.feedDir);
    const before = fileReads();
    const [first, second] = await Promise.all([get('/v1/feeds/agent'), get('/v1/feeds/agent')]);
    for (const res of [first, second]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe(`"${manifest.sha256}"`);
      expect(res.headers['x-feed-version']).toBe(manifest.version);
      expect(sha256(res.rawPayload)).toBe(manifest.sha256);
    }
    expect(first?.body).toContain('SINK-1');
    // Two concurrent first reads, one download; a third read is served from the copy.
    expect(fileReads() - before).toBe(1);
    expect((await get('/v1/feeds/agent')).statusCode).toBe(200);
    expect(fileReads() - before).toBe(1);
    expect(await readdir(path.join(ingress.feedDir, TENANT, 'agent'))).toContain(manifest.file);

    const listed = await get('/v1/feeds');
    // The acp feed too, when a test before this one published it.
    expect(listed.json().feeds).toContainEqual(manifest);
    const conditional = await get('/v1/feeds/agent', { 'if-none-match': `"${manifest.sha256}"` });
    expect(conditional.statusCode).toBe(304);
  });

  it('serves a newer publish as soon as the store holds it', async () => {
    const older = (await get('/v1/feeds/agent')).headers.etag;
    const manifest = await publishAgent();
    const res = await get('/v1/feeds/agent');
    expect(res.headers.etag).toBe(`"${manifest.sha256}"`);
    expect(res.headers['x-feed-version']).toBe(manifest.version);
    expect(res.headers.etag === older).toBe(manifest.sha256 === older?.slice(1, -1));
  });

  it('pages a JSON feed from the copy (the ACP Feed API reads it so)', async () => {
    const { manifest } = await workers.runtime.feeds.publish(TENANT, 'acp');
    const pages = new FeedPages(ingress.runtime.feeds);
    const first = await pages.page(TENANT, 'acp', undefined, 1);
    expect(first?.manifest.version).toBe(manifest?.version);
    expect(first?.count).toBe(1);
    expect(first?.nextAfter).toBeDefined();
    const second = await pages.page(TENANT, 'acp', first?.nextAfter, 1);
    expect(second?.count).toBe(1);
    expect(second?.nextAfter).toBeUndefined();
    const ids = [first, second].map((page) => JSON.parse(String(page?.body)).products[0].id);
    expect(new Set(ids).size).toBe(2);
  });

  it('serves the copy it keeps while the store is down', async () => {
    const current = (await get('/v1/feeds/agent')).headers.etag;
    store.state.mode = 'down';
    try {
      const res = await get('/v1/feeds/agent');
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe(current);
      expect(sha256(res.rawPayload)).toBe(String(current).slice(1, -1));
    } finally {
      store.state.mode = 'ok';
    }
  });

  it('never serves a file that does not match its manifest: the kept copy, or 503 with none', async () => {
    const kept = (await get('/v1/feeds/agent')).headers.etag;
    const manifest = await publishAgent();
    store.state.mode = 'corrupt';
    try {
      const res = await get('/v1/feeds/agent');
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe(kept);
      expect(res.headers.etag).not.toBe(`"${manifest.sha256}"`);
      // Nothing of the bad download stays under the version's name.
      expect(await readdir(path.join(ingress.feedDir, TENANT, 'agent'))).not.toContain(
        manifest.file,
      );

      // A fresh ingress (nothing kept yet) answers 503 in the error shape, not a wrong feed.
      const fresh = await catalogTestContext({
        FEED_SINK_URL: `${server.url}/feeds`,
        FEED_SINK_RETRIES: '0',
        FEED_SOURCE: 'sink',
      });
      const freshApp = await buildApp(fresh.ctx, [feedsFeature]);
      try {
        const refused = await freshApp.inject({
          method: 'GET',
          url: '/v1/feeds/agent',
          headers: TENANT_AUTH,
        });
        expect(refused.statusCode).toBe(503);
        expect(refused.json()).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      } finally {
        await freshApp.close();
        await fresh.close();
      }
    } finally {
      store.state.mode = 'ok';
    }
    const healed = await get('/v1/feeds/agent');
    expect(healed.headers.etag).toBe(`"${manifest.sha256}"`);
    expect(sha256(healed.rawPayload)).toBe(manifest.sha256);
  });

  it('leaves the .partial file of a publisher sharing its FEED_DIR alone when it copies', async () => {
    const dir = path.join(ingress.feedDir, TENANT, 'agent');
    await get('/v1/feeds/agent');
    const partial = path.join(dir, 'being-published.jsonl.partial');
    await writeFile(partial, '{"productId":"HALF-WRITTEN"');
    const manifest = await publishAgent();
    const res = await get('/v1/feeds/agent');
    expect(res.headers.etag).toBe(`"${manifest.sha256}"`);
    expect(await readdir(dir)).toContain('being-published.jsonl.partial');
    await rm(partial);
  });

  it('refuses FEED_SOURCE=sink without FEED_SINK_URL at startup', () => {
    expect(() => loadConfig({ FEED_SOURCE: 'sink' })).toThrow(/FEED_SINK_URL/);
  });
});
