import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { acpFeature } from '../../src/app/acp.js';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import type { PolicyFact } from '../../src/domain/index.js';
import { toInstant } from '../../src/domain/index.js';
import { ACP_VERSION } from '../../src/http/acp/acp-guard.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { VaultTokenStore } from '../../src/store/vault-token-store.js';
import {
  type CheckoutHarness,
  type HarnessOptions,
  OTHER_TENANT,
  OTHER_TOKEN,
  startCheckoutHarness,
  TENANT,
  TOKEN,
} from './checkout-harness.js';

/**
 * The ACP checkout sessions over a whole checkout deployment (test/helpers/checkout-harness.ts):
 * loopback providers, the real Redis, the checkout workers, and an app serving the ACP feature.
 * Tenants: `acme` sells the ready Travel Backpack (fresh facts, returns everywhere, shipping in
 * the EU and — for the spec's US examples — the US); `globex` is another tenant; `initech`
 * sells the demo catalog, whose Travel Backpack is DESIGN.md's (returns missing, stock stale).
 */
export const DESIGN_TENANT = 'initech';
export const DESIGN_TOKEN = 'initech-token-00000000000001';
export const TOKENS = { acme: TOKEN, globex: OTHER_TOKEN, initech: DESIGN_TOKEN } as const;
export type TenantName = keyof typeof TOKENS;

export const EU_ADDRESS = {
  name: 'Ada Lovelace',
  line_one: 'Unter den Linden 1',
  city: 'Berlin',
  state: 'BE',
  country: 'DE',
  postal_code: '10117',
};

export interface AcpSessionHarness extends CheckoutHarness {
  acp: App;
  post(
    url: string,
    body: unknown,
    options?: { key?: string | null; tenant?: TenantName; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  get(url: string, tenant?: TenantName): Promise<LightMyRequestResponse>;
  /** Writes a delegated payment token for a session, as delegate_payment would. */
  vaultToken(
    sessionId: string,
    options?: { maxAmount?: number; tenant?: TenantName; expiresInMs?: number },
  ): Promise<string>;
}

const US_SHIPPING: PolicyFact = {
  id: 'shipping-us',
  domain: 'shipping',
  status: 'active',
  quoteable: true,
  appliesTo: { categories: ['*'], regions: ['US'], buyerTypes: ['*'], channels: ['*'] },
  validFrom: '2026-01-01T00:00:00Z',
  validTo: null,
  source: 'legal',
  version: 1,
  terms: { days: '4-6' },
};

export async function startAcpSessionHarness(
  options: HarnessOptions = {},
): Promise<AcpSessionHarness> {
  const h = await startCheckoutHarness({
    ...options,
    env: {
      AUTH_TOKENS: `${TENANT}:${TOKEN},${OTHER_TENANT}:${OTHER_TOKEN},${DESIGN_TENANT}:${DESIGN_TOKEN}`,
      ...options.env,
    },
  });
  const { ctx } = h;
  await new CatalogStore(ctx.redis, ctx.config.KEY_PREFIX, TENANT).putPolicy(US_SHIPPING);
  const design = new CatalogStore(ctx.redis, ctx.config.KEY_PREFIX, DESIGN_TENANT);
  const demo = demoCatalog(ctx.clock.nowMs());
  await design.putProducts(demo.products);
  for (const policy of demo.policies) await design.putPolicy(policy);
  const acp = await buildApp(ctx, [acpFeature]);
  await acp.ready();

  const headers = (tenant: TenantName, key: string | null | undefined) => ({
    authorization: `Bearer ${TOKENS[tenant]}`,
    'api-version': ACP_VERSION,
    'content-type': 'application/json',
    ...(key === null ? {} : { 'idempotency-key': key ?? randomUUID() }),
  });
  const close = h.close;
  return Object.assign(h, {
    acp,
    post: (url: string, body: unknown, o: Parameters<AcpSessionHarness['post']>[2] = {}) =>
      acp.inject({
        method: 'POST',
        url,
        headers: {
          ...headers(o.tenant ?? 'acme', o.key),
          // A POST without a body (cancel's is optional) says no Content-Type.
          ...(body === undefined ? { 'content-type': undefined } : {}),
          ...o.headers,
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    get: (url: string, tenant: TenantName = 'acme') =>
      acp.inject({ method: 'GET', url, headers: headers(tenant, null) }),
    async vaultToken(
      sessionId: string,
      o: { maxAmount?: number; tenant?: TenantName; expiresInMs?: number } = {},
    ) {
      const tenant = o.tenant === undefined ? TENANT : tenantOf(o.tenant);
      const id = `vt_${randomUUID().replaceAll('-', '')}`;
      const nowMs = ctx.clock.nowMs();
      const expiresInMs = o.expiresInMs ?? 3_600_000;
      await new VaultTokenStore(ctx.redis, ctx.config.KEY_PREFIX, tenant).save(
        {
          id,
          allowance: {
            reason: 'one_time',
            max_amount: o.maxAmount ?? 1_000_000,
            currency: 'eur',
            checkout_session_id: sessionId,
            merchant_id: h.service.merchantIdOf(tenant),
            expires_at: toInstant(nowMs + expiresInMs),
          },
          instrument: { type: 'card', brand: 'visa', last4: '4242' },
          providerRef: `pm_${id}`,
          createdAt: toInstant(nowMs),
          metadata: {},
        },
        expiresInMs / 1000,
      );
      return id;
    },
    async close() {
      await acp.close();
      await close();
    },
  });
}

function tenantOf(name: TenantName): string {
  return { acme: TENANT, globex: OTHER_TENANT, initech: DESIGN_TENANT }[name];
}
