import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { acpFeature } from '../../src/app/acp.js';
import { ap2Feature } from '../../src/app/ap2.js';
import { ucpFeature } from '../../src/app/ucp.js';
import { ACP_VERSION } from '../../src/http/acp/acp-guard.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type AcpSessionHarness,
  startAcpSessionHarness,
  type TenantName,
  TOKENS,
} from './acp-session-harness.js';
import type { HarnessOptions } from './checkout-harness.js';
import { type LoopbackServer, loopbackServer } from './loopback-server.js';
import { platformProfile, sendJson } from './ucp-platform.js';

/**
 * Every root capability we advertise, as a platform would declare them: not the AP2 mandates
 * extension, which locks a session into signed mandates (the AP2 tests declare it themselves).
 */
export const ALL_CAPABILITIES = Object.fromEntries(
  Object.values(UCP_CAPABILITY)
    .filter((name) => name !== UCP_CAPABILITY.ap2Mandate)
    .map((name) => [name, [{}]]),
);

/**
 * The platform profiles the loopback platform serves, by path: each a way a platform can be
 * (or fail to be) negotiated with.
 */
export const PLATFORM_PROFILES: Record<string, { status?: number; body: unknown }> = {
  '/profiles/shopper.json': { body: platformProfile(ALL_CAPABILITIES) },
  '/profiles/catalog-only.json': {
    body: platformProfile({ [UCP_CAPABILITY.catalogSearch]: [{}] }),
  },
  '/profiles/loyalty-only.json': {
    body: platformProfile({ 'com.example.loyalty': [{}] }),
  },
  '/profiles/future.json': { body: platformProfile(ALL_CAPABILITIES, '2099-01-01') },
  '/profiles/broken.json': { body: '{"ucp": {"version": ' },
  '/profiles/not-a-profile.json': { body: { hello: 'world' } },
  '/profiles/gone.json': { status: 500, body: { error: 'down' } },
};

export interface UcpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read the JSON freely
  body: any;
}

export interface UcpCall {
  tenant?: TenantName;
  /** The platform profile path on the loopback platform, or a whole UCP-Agent value. */
  profile?: string;
  agent?: string | null;
  key?: string | null;
  /** How to authenticate: a bearer token (default), the X-API-Key header, or not at all. */
  auth?: 'bearer' | 'api-key' | 'none';
  headers?: Record<string, string>;
  /** A raw body, sent as is. */
  raw?: string;
}

export interface UcpHarness extends AcpSessionHarness {
  /** The profiles this harness's platform serves, by path (PLATFORM_PROFILES and any added). */
  profiles: Record<string, { status?: number; body: unknown }>;
  /** The app serving UCP, ACP and AP2's keys, listening on loopback (not the ACP harness's inject app). */
  ucpApp: App;
  baseUrl: string;
  platform: LoopbackServer;
  /** The UCP-Agent header naming a profile on the loopback platform. */
  agentOf(path: string): string;
  call(method: string, path: string, body?: unknown, options?: UcpCall): Promise<UcpAnswer>;
  /** A delegated payment token minted by POST /agentic_commerce/delegate_payment over HTTP. */
  mintToken(body: unknown, tenant?: TenantName): Promise<UcpAnswer>;
}

/**
 * A platform talking to the UCP feature over real HTTP: the ACP session harness's deployment
 * (loopback providers, the checkout workers, tenants acme / globex / initech), an app serving
 * UCP and ACP on 127.0.0.1, and a loopback platform serving the profiles of PLATFORM_PROFILES.
 */
export async function startUcpHarness(options: HarnessOptions = {}): Promise<UcpHarness> {
  const profiles = { ...PLATFORM_PROFILES };
  const platform = await loopbackServer((req, res) => {
    const profile = profiles[req.url.split('?')[0] ?? ''];
    if (profile === undefined) return sendJson(res, { error: 'no such profile' }, {}, 404);
    sendJson(res, profile.body, { 'cache-control': 'public, max-age=300' }, profile.status);
  });
  const h = await startAcpSessionHarness(options);
  const ucpApp = await buildApp(h.ctx, [ucpFeature, acpFeature, ap2Feature]);
  await ucpApp.listen({ host: '127.0.0.1', port: 0 });
  const { port } = ucpApp.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const agentOf = (path: string) => `profile="${platform.url}${path}"`;

  const send = async (
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<UcpAnswer> => {
    const res = await request(`${baseUrl}${path}`, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, body: parsed };
  };

  const close = h.close;
  return Object.assign(h, {
    profiles,
    ucpApp,
    baseUrl,
    platform,
    agentOf,
    call(method: string, path: string, body?: unknown, o: UcpCall = {}) {
      const token = TOKENS[o.tenant ?? 'acme'];
      const auth = o.auth ?? 'bearer';
      const agent =
        o.agent === null ? undefined : (o.agent ?? agentOf(o.profile ?? '/profiles/shopper.json'));
      const mutation = method !== 'GET';
      const payload = o.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      return send(
        method,
        path,
        {
          ...(auth === 'bearer' ? { authorization: `Bearer ${token}` } : {}),
          ...(auth === 'api-key' ? { 'x-api-key': token } : {}),
          ...(agent === undefined ? {} : { 'ucp-agent': agent }),
          ...(mutation && o.key !== null ? { 'idempotency-key': o.key ?? randomUUID() } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...o.headers,
        },
        payload,
      );
    },
    mintToken(body: unknown, tenant: TenantName = 'acme') {
      return send(
        'POST',
        '/agentic_commerce/delegate_payment',
        {
          authorization: `Bearer ${TOKENS[tenant]}`,
          'api-version': ACP_VERSION,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        JSON.stringify(body),
      );
    },
    async close() {
      await ucpApp.close();
      await platform.close();
      await close();
    },
  });
}
