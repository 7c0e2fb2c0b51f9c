import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedsFeature } from '../../src/app/feeds.js';
import { buildApp } from '../../src/http/app.js';
import { ifNoneMatchHits } from '../../src/http/if-none-match.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  OTHER_AUTH,
  TENANT,
  TENANT_AUTH,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

describe('GET /v1/feeds/{name}', () => {
  let t: CatalogTestContext;
  let app: App;
  let etag: string;

  beforeAll(async () => {
    t = await catalogTestContext();
    app = await buildApp(t.ctx, [feedsFeature]);
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    await t.runtime
      .storesOf(TENANT)
      .catalog.putProducts([readyProduct('DOWNLOAD-1', t.ctx.clock.nowMs())]);
    const published = await t.runtime.feeds.publish(TENANT, 'agent');
    etag = `"${published.manifest?.sha256}"`;
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...TENANT_AUTH, ...headers } });

  describe('without If-None-Match', () => {
    it('answers the file with its ETag and a Cache-Control that makes clients revalidate', async () => {
      const res = await get('/v1/feeds/agent');
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe('private, no-cache');
      expect(res.body).toContain('DOWNLOAD-1');
    });
  });

  describe('with If-None-Match', () => {
    it.each([
      ['the current ETag', () => etag],
      ['its weak form', () => `W/${etag}`],
      ['a list that holds it', () => `"0000", W/"1111", ${etag}`],
      ['*', () => '*'],
    ])('answers 304 with no body for %s', async (_, header) => {
      const res = await get('/v1/feeds/agent', { 'if-none-match': header() });
      expect(res.statusCode).toBe(304);
      expect(res.body).toBe('');
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe('private, no-cache');
    });

    it('answers the file again once the ETag is an older one', async () => {
      const res = await get('/v1/feeds/agent', { 'if-none-match': '"a-feed-published-before"' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('DOWNLOAD-1');
    });
  });

  describe('for a feed that cannot be served', () => {
    it('answers an unknown feed name with 404 in the error shape, naming the feeds', async () => {
      const res = await get('/v1/feeds/googel-shopping');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        error: 'Not Found',
        code: 'NOT_FOUND',
        message: 'feed googel-shopping not found',
        statusCode: 404,
        details: { feeds: ['agent', 'acp', 'openai-flat'] },
      });
    });

    it('answers 404 for a known feed the tenant has not published yet', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/feeds/acp',
        headers: OTHER_AUTH,
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({
        code: 'NOT_FOUND',
        message: 'published feed acp not found',
      });
    });
  });
});

describe('ifNoneMatchHits', () => {
  const tag = '"abc"';
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    [' "x" ,W/"abc" ', true],
    ['*', true],
    ['"ab"', false],
    ['"abc,def"', false],
    ['abc', false],
    ['', false],
  ])('%j against "abc" is %s', (header, hits) => {
    expect(ifNoneMatchHits(header, tag)).toBe(hits);
  });
});
