import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aHarness, startA2aHarness } from '../helpers/a2a.js';

/**
 * The agent card is fetched by every client before each session: it carries validators and a
 * cache lifetime, and a conditional GET that still matches answers 304 (RFC 9110 §13, §15.4.5).
 * Each version variant is its own representation (`Vary: A2A-Version`, its own ETag).
 */

const CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'];

describe.each(CARD_PATHS)('agent card caching at %s', (path) => {
  let harness: A2aHarness;

  beforeAll(async () => {
    harness = await startA2aHarness({ workers: false });
  });
  afterAll(() => harness.close());

  const get = (headers: Record<string, string> = {}) =>
    fetch(`${harness.baseUrl}${path}`, { headers });
  /** The card as a test walks it. */
  const cardOf = async (response: Response) => (await response.json()) as Record<string, unknown>;

  it('serves validators, a public cache lifetime and Vary: A2A-Version', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const lastModified = response.headers.get('last-modified') ?? '';
    expect(Number.isNaN(Date.parse(lastModified))).toBe(false);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('vary')).toMatch(/A2A-Version/i);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('keeps the version selection: v0.3 superset without the header, v1.0 with it', async () => {
    const legacy = await cardOf(await get());
    expect(legacy).toMatchObject({ protocolVersion: '0.3.0', url: expect.any(String) });
    expect(legacy.supportedInterfaces).toEqual(expect.any(Array));
    const v1 = await cardOf(await get({ 'a2a-version': '1.0' }));
    expect(v1.supportedInterfaces).toEqual(expect.any(Array));
    expect(v1).not.toHaveProperty('url');
  });

  it('takes the version from the A2A-Version query parameter as from the header', async () => {
    // A2A v1.0 §3.6.1: a client MAY send the version as a request parameter instead.
    const byQuery = await fetch(`${harness.baseUrl}${path}?A2A-Version=1.0`);
    const byHeader = await get({ 'a2a-version': '1.0' });
    expect(await byQuery.text()).toBe(await byHeader.text());
    expect(byQuery.headers.get('etag')).toBe(byHeader.headers.get('etag'));
  });

  it('gives each variant its own ETag, stable across requests', async () => {
    const legacy = (await get()).headers.get('etag');
    const again = (await get()).headers.get('etag');
    const v1 = (await get({ 'a2a-version': '1.0' })).headers.get('etag');
    expect(again).toBe(legacy);
    expect(v1).not.toBe(legacy);
  });

  it.each([
    ['the ETag', (tag: string) => tag],
    ['its weak form', (tag: string) => `W/${tag}`],
    ['a list that holds it', (tag: string) => `"other", ${tag}`],
    ['*', () => '*'],
  ])('answers If-None-Match with %s by 304, no body and the same validators', async (_n, tagOf) => {
    const first = await get({ 'a2a-version': '1.0' });
    const tag = first.headers.get('etag') ?? '';
    await first.arrayBuffer();
    const response = await get({ 'a2a-version': '1.0', 'if-none-match': tagOf(tag) });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe('');
    expect(response.headers.get('etag')).toBe(tag);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it("answers the other variant's ETag with the full card", async () => {
    const legacyTag = (await get()).headers.get('etag') ?? '';
    const response = await get({ 'a2a-version': '1.0', 'if-none-match': legacyTag });
    expect(response.status).toBe(200);
    expect((await cardOf(response)).supportedInterfaces).toEqual(expect.any(Array));
  });

  it('answers If-Modified-Since at or after Last-Modified by 304, before it by 200', async () => {
    const lastModified = (await get()).headers.get('last-modified') ?? '';
    const notModified = await get({ 'if-modified-since': lastModified });
    expect(notModified.status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    const modified = await get({ 'if-modified-since': earlier });
    expect(modified.status).toBe(200);
    expect((await cardOf(modified)).name).toBe('agent-commerce-worker');
  });

  it('lets If-None-Match decide over If-Modified-Since', async () => {
    const lastModified = (await get()).headers.get('last-modified') ?? '';
    const response = await get({
      'if-none-match': '"not-the-card"',
      'if-modified-since': lastModified,
    });
    expect(response.status).toBe(200);
  });
});
