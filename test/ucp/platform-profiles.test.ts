import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { loadConfig } from '../../src/config.js';
import {
  PlatformProfiles,
  type PlatformProfilesOptions,
  platformProfilesOptions,
} from '../../src/http/ucp/platform-profiles.js';
import {
  type LoopbackServer,
  loopbackServer,
  type RecordedRequest,
} from '../helpers/loopback-server.js';
import { platformProfile, sendJson } from '../helpers/ucp-platform.js';

const PROFILE = platformProfile({ [UCP_CAPABILITY.checkout]: [{}] });
const MIN_TTL_MS = 60_000;
const MAX_TTL_MS = 3_600_000;

describe('PlatformProfiles', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const each of open.splice(0).reverse()) await each.close();
  });

  let now = 1_700_000_000_000;
  const clock = { advance: (ms: number) => (now += ms) };

  async function serve(
    handle: (request: RecordedRequest, response: ServerResponse) => void,
  ): Promise<LoopbackServer> {
    const server = await loopbackServer(handle);
    open.push(server);
    return server;
  }

  function profiles(overrides: Partial<PlatformProfilesOptions> = {}): PlatformProfiles {
    const made = new PlatformProfiles({
      connectTimeoutMs: 1_000,
      timeoutMs: 2_000,
      maxBytes: 4_096,
      cacheMaxEntries: 100,
      cacheMinTtlMs: MIN_TTL_MS,
      cacheMaxTtlMs: MAX_TTL_MS,
      allowHttp: true,
      allowPrivateAddresses: true,
      nowMs: () => now,
      ...overrides,
    });
    open.push(made);
    return made;
  }

  /** A server answering the profile with these headers. */
  const profileServer = (headers: Record<string, string>) =>
    serve((_request, response) => sendJson(response, PROFILE, headers));

  async function expectFailure(result: Promise<unknown>, code: string, content?: RegExp) {
    const settled = (await result) as { ok: boolean; failure?: { code: string; content: string } };
    expect(settled.ok).toBe(false);
    expect(settled.failure?.code).toBe(code);
    if (content !== undefined) expect(settled.failure?.content).toMatch(content);
  }

  describe('when the profile is fresh by its max-age', () => {
    it('answers the second call from the cache, without a request', async () => {
      const server = await profileServer({ 'cache-control': 'public, max-age=300' });
      const cache = profiles();
      const first = await cache.fetch(`${server.url}/profile.json`);
      expect(first.ok && first.value.ucp.capabilities).toHaveProperty(UCP_CAPABILITY.checkout);
      clock.advance(299_000);
      expect((await cache.fetch(`${server.url}/profile.json`)).ok).toBe(true);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.headers.accept).toBe('application/json');
    });

    it('fetches again once it is stale', async () => {
      const server = await profileServer({ 'cache-control': 'public, max-age=300' });
      const cache = profiles();
      await cache.fetch(`${server.url}/p`);
      clock.advance(301_000);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(2);
    });
  });

  describe('when the origin says no-store', () => {
    it('fetches on every call', async () => {
      const server = await profileServer({ 'cache-control': 'no-store' });
      const cache = profiles();
      expect((await cache.fetch(`${server.url}/p`)).ok).toBe(true);
      expect((await cache.fetch(`${server.url}/p`)).ok).toBe(true);
      expect(server.requests).toHaveLength(2);
    });
  });

  describe('TTL clamp', () => {
    it('keeps a profile at least the minimum TTL, whatever a shorter max-age says', async () => {
      const server = await profileServer({ 'cache-control': 'public, max-age=1' });
      const cache = profiles();
      await cache.fetch(`${server.url}/p`);
      clock.advance(MIN_TTL_MS - 1);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(1);
      clock.advance(2);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(2);
    });

    it('keeps a profile without caching headers for the minimum TTL', async () => {
      const server = await profileServer({});
      const cache = profiles();
      await cache.fetch(`${server.url}/p`);
      clock.advance(MIN_TTL_MS - 1);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(1);
    });

    it('keeps a profile no longer than the maximum TTL, whatever a longer max-age says', async () => {
      const server = await profileServer({ 'cache-control': 'public, max-age=86400' });
      const cache = profiles();
      await cache.fetch(`${server.url}/p`);
      clock.advance(MAX_TTL_MS - 1);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(1);
      clock.advance(2);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(2);
    });
  });

  describe('when a stale profile has an ETag', () => {
    it('revalidates it with If-None-Match and keeps it on 304', async () => {
      const server = await serve((request, response) => {
        if (request.headers['if-none-match'] === '"v1"') {
          response.writeHead(304, { etag: '"v1"', 'cache-control': 'public, max-age=120' });
          response.end();
          return;
        }
        sendJson(response, PROFILE, { etag: '"v1"', 'cache-control': 'public, max-age=120' });
      });
      const cache = profiles();
      await cache.fetch(`${server.url}/p`);
      clock.advance(121_000);
      const revalidated = await cache.fetch(`${server.url}/p`);
      expect(revalidated).toEqual({ ok: true, value: PROFILE });
      expect(server.requests.map((request) => request.headers['if-none-match'])).toEqual([
        undefined,
        '"v1"',
      ]);
      // The 304 renewed the entry: fresh again, no third request.
      clock.advance(60_000);
      await cache.fetch(`${server.url}/p`);
      expect(server.requests).toHaveLength(2);
    });
  });

  describe('LRU bound', () => {
    it('evicts the least recently used profile past the maximum number of entries', async () => {
      const server = await profileServer({ 'cache-control': 'public, max-age=300' });
      const cache = profiles({ cacheMaxEntries: 2 });
      await cache.fetch(`${server.url}/a`);
      await cache.fetch(`${server.url}/b`);
      await cache.fetch(`${server.url}/a`); // a is now the most recently used
      await cache.fetch(`${server.url}/c`); // evicts b
      await cache.fetch(`${server.url}/a`);
      expect(server.requests.map((request) => request.url)).toEqual(['/a', '/b', '/c']);
      await cache.fetch(`${server.url}/b`);
      expect(server.requests.map((request) => request.url)).toEqual(['/a', '/b', '/c', '/b']);
    });
  });

  describe('concurrent fetches of one URL', () => {
    it('share one request and its answer', async () => {
      let held: ServerResponse | undefined;
      let arrived: () => void = () => {};
      const requestArrived = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      // Holds the answer until every call has been made.
      const server = await serve((_request, response) => {
        held = response;
        arrived();
      });
      const cache = profiles();
      const calls = [1, 2, 3].map(() => cache.fetch(`${server.url}/p`));
      await requestArrived;
      sendJson(held as ServerResponse, PROFILE, { 'cache-control': 'no-store' });
      const results = await Promise.all(calls);
      expect(server.requests).toHaveLength(1);
      for (const result of results) expect(result).toEqual({ ok: true, value: PROFILE });
    });
  });

  describe('when the profile cannot be fetched', () => {
    it('is profile_unreachable on a 500, and the failure is not cached', async () => {
      let status = 500;
      const server = await serve((_request, response) => sendJson(response, PROFILE, {}, status));
      const cache = profiles();
      await expectFailure(cache.fetch(`${server.url}/p`), 'profile_unreachable', /answered 500/);
      status = 200;
      expect((await cache.fetch(`${server.url}/p`)).ok).toBe(true);
      expect(server.requests).toHaveLength(2);
    });

    it('is profile_unreachable on a 404', async () => {
      const server = await serve((_request, response) => sendJson(response, {}, {}, 404));
      await expectFailure(profiles().fetch(`${server.url}/p`), 'profile_unreachable', /404/);
    });

    it('is profile_unreachable on a redirect, which is not followed', async () => {
      const target = await profileServer({});
      const server = await serve((_request, response) => {
        response.writeHead(302, { location: `${target.url}/p` });
        response.end();
      });
      await expectFailure(
        profiles().fetch(`${server.url}/p`),
        'profile_unreachable',
        /302.*redirects/,
      );
      expect(target.requests).toHaveLength(0);
    });

    it('is profile_unreachable when the server never answers (timeout)', async () => {
      const server = await serve(() => {});
      const started = Date.now();
      await expectFailure(
        profiles({ timeoutMs: 200 }).fetch(`${server.url}/p`),
        'profile_unreachable',
        /timeout/i,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('is profile_unreachable when a declared Content-Length is too big', async () => {
      const server = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '10000' });
        response.end(' '.repeat(10_000));
      });
      await expectFailure(
        profiles({ maxBytes: 4_096 }).fetch(`${server.url}/p`),
        'profile_unreachable',
        /larger than 4096 bytes/,
      );
    });

    it('is profile_unreachable when a chunked body grows past the limit (no Content-Length)', async () => {
      const server = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        // Keeps sending: only the reader's limit ends this.
        const chunk = ' '.repeat(1_024);
        const pump = () => {
          while (response.write(chunk)) {
            if (response.writableLength > 1 << 20) return;
          }
          response.once('drain', pump);
        };
        response.on('error', () => {});
        pump();
      });
      await expectFailure(
        profiles({ maxBytes: 4_096 }).fetch(`${server.url}/p`),
        'profile_unreachable',
        /larger than 4096 bytes/,
      );
    });

    it('is profile_unreachable when nothing listens there', async () => {
      const server = await profileServer({});
      const url = `${server.url}/p`;
      await server.close();
      open.pop();
      await expectFailure(profiles().fetch(url), 'profile_unreachable');
    });
  });

  describe('when the profile is not what it must be', () => {
    it('is profile_malformed when it is not JSON', async () => {
      const server = await serve((_request, response) => sendJson(response, '<html>hello</html>'));
      await expectFailure(profiles().fetch(`${server.url}/p`), 'profile_malformed', /not JSON/);
    });

    it('is profile_malformed when it violates the schema, naming where', async () => {
      const server = await serve((_request, response) =>
        sendJson(response, { ucp: { version: 'draft', services: {}, payment_handlers: {} } }),
      );
      await expectFailure(profiles().fetch(`${server.url}/p`), 'profile_malformed', /ucp\.version/);
    });
  });

  describe('SSRF guard (private addresses not allowed)', () => {
    it('refuses a loopback IP literal without connecting', async () => {
      const server = await profileServer({});
      await expectFailure(
        profiles({ allowPrivateAddresses: false }).fetch(`${server.url}/p`),
        'profile_unreachable',
        /non-public address/,
      );
      expect(server.requests).toHaveLength(0);
    });

    it('refuses an IPv6 loopback literal', async () => {
      await expectFailure(
        profiles({ allowPrivateAddresses: false }).fetch('http://[::1]:9/p'),
        'profile_unreachable',
        /non-public address/,
      );
    });

    it('refuses a private IPv4 written as an IPv4-mapped IPv6 literal', async () => {
      await expectFailure(
        profiles({ allowPrivateAddresses: false }).fetch('http://[::ffff:10.0.0.1]:9/p'),
        'profile_unreachable',
        /non-public address/,
      );
    });

    it('refuses a name that resolves to loopback (checked on the resolved address)', async () => {
      const server = await profileServer({});
      const port = new URL(server.url).port;
      await expectFailure(
        profiles({ allowPrivateAddresses: false }).fetch(`http://localhost:${port}/p`),
        'profile_unreachable',
        /localhost resolves to .* non-public address/,
      );
      expect(server.requests).toHaveLength(0);
    });

    it('lets the same name through when private addresses are allowed', async () => {
      const server = await profileServer({});
      const port = new URL(server.url).port;
      const result = await profiles({ allowPrivateAddresses: true }).fetch(
        `http://localhost:${port}/p`,
      );
      // localhost may resolve to ::1 first where the server listens on 127.0.0.1 only.
      if (!result.ok) expect(result.failure.code).toBe('profile_unreachable');
      else expect(server.requests).toHaveLength(1);
    });
  });

  describe('scheme', () => {
    it('refuses plain http when it is not allowed, without connecting', async () => {
      const server = await profileServer({});
      await expectFailure(
        profiles({ allowHttp: false }).fetch(`${server.url}/p`),
        'invalid_profile_url',
        /https/,
      );
      expect(server.requests).toHaveLength(0);
    });

    it('refuses other schemes always', async () => {
      await expectFailure(profiles().fetch('ftp://platform.example/p'), 'invalid_profile_url');
      await expectFailure(profiles().fetch('not a url'), 'invalid_profile_url');
    });
  });
});

describe('platformProfilesOptions', () => {
  const nowMs = () => 0;
  it('allows http and private addresses outside production by default', () => {
    const options = platformProfilesOptions(loadConfig({ NODE_ENV: 'development' }), nowMs);
    expect([options.allowHttp, options.allowPrivateAddresses]).toEqual([true, true]);
    expect(options).toMatchObject({
      connectTimeoutMs: 2_000,
      timeoutMs: 5_000,
      maxBytes: 262_144,
      cacheMaxEntries: 1_000,
      cacheMinTtlMs: 60_000,
      cacheMaxTtlMs: 3_600_000,
    });
  });

  it('refuses both in production by default, and lets the variables decide', () => {
    const production = {
      NODE_ENV: 'production',
      OPERATOR_TOKEN: 'o'.repeat(20),
      WEBHOOK_SECRET: 'w'.repeat(20),
      AUTH_TOKENS: `shop:${'t'.repeat(20)}`,
      PUBLIC_BASE_URL: 'https://shop.example.com',
    };
    const strict = platformProfilesOptions(loadConfig(production), nowMs);
    expect([strict.allowHttp, strict.allowPrivateAddresses]).toEqual([false, false]);
    const opened = platformProfilesOptions(
      loadConfig({
        ...production,
        UCP_PROFILE_ALLOW_HTTP: 'true',
        UCP_PROFILE_ALLOW_PRIVATE_ADDRESSES: 'true',
      }),
      nowMs,
    );
    expect([opened.allowHttp, opened.allowPrivateAddresses]).toEqual([true, true]);
  });

  it('refuses a minimum TTL above the maximum', () => {
    expect(() =>
      loadConfig({
        UCP_PROFILE_CACHE_MIN_TTL_MS: '7200000',
        UCP_PROFILE_CACHE_MAX_TTL_MS: '3600000',
      }),
    ).toThrow(/UCP_PROFILE_CACHE_MIN_TTL_MS/);
  });
});
