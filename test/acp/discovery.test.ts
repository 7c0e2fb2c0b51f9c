import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpFeature } from '../../src/app/acp.js';
import type { AppContext } from '../../src/app-context.js';
import { ACP_SUPPORTED_VERSIONS } from '../../src/http/acp/acp-guard.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import { createTestContext } from '../helpers/test-context.js';

describe('GET /.well-known/acp.json', () => {
  const started: { ctx: AppContext; app: App }[] = [];
  const serve = async (env: Record<string, string> = {}) => {
    const ctx = createTestContext(env);
    const app = await buildApp(ctx, [acpFeature]);
    started.push({ ctx, app });
    return app;
  };
  let app: App;
  beforeAll(async () => {
    app = await serve({ PUBLIC_BASE_URL: 'https://shop.example.com/acp' });
  });
  afterAll(async () => {
    for (const { app: each, ctx } of started) {
      await each.close();
      await ctx.close();
    }
  });

  describe('without any credential or API-Version', () => {
    it('answers the DiscoveryResponse of the 2026-04-17 schema', async () => {
      const res = await app.inject({ method: 'GET', url: '/.well-known/acp.json' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expectAcp2026('agentic_checkout', 'DiscoveryResponse', body);
      expect(body).toEqual({
        protocol: {
          name: 'acp',
          version: ACP_SUPPORTED_VERSIONS[0],
          supported_versions: [...ACP_SUPPORTED_VERSIONS].reverse(),
        },
        api_base_url: 'https://shop.example.com/acp',
        transports: ['rest'],
        capabilities: { services: ['checkout', 'delegate_payment'] },
      });
    });

    it('says capability only: nothing about products or their readiness', async () => {
      const res = await app.inject({ method: 'GET', url: '/.well-known/acp.json' });
      expect(res.body).not.toMatch(/product|ready|blocked|sku/i);
    });

    it('may be cached by anyone and revalidated with its ETag', async () => {
      const res = await app.inject({ method: 'GET', url: '/.well-known/acp.json' });
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      const again = await app.inject({
        method: 'GET',
        url: '/.well-known/acp.json',
        headers: { 'if-none-match': res.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });
  });

  describe('when order events go to the agent platform', () => {
    it('adds the orders service', async () => {
      const withHooks = await serve({
        ACP_WEBHOOK_URL: 'https://platform.example.com/agentic_checkout/webhooks/order_events',
        ACP_WEBHOOK_SECRET: 'acp-webhook-secret-0000000001',
        ACP_ORDER_URL_TEMPLATE: 'https://shop.example.com/orders/{order_id}',
      });
      const res = await withHooks.inject({ method: 'GET', url: '/.well-known/acp.json' });
      const body = res.json();
      expectAcp2026('agentic_checkout', 'DiscoveryResponse', body);
      expect(body.capabilities.services).toEqual(['checkout', 'delegate_payment', 'orders']);
    });
  });

  describe('without PUBLIC_BASE_URL', () => {
    it('names the address the server listens on as api_base_url', async () => {
      const local = await serve();
      const res = await local.inject({ method: 'GET', url: '/.well-known/acp.json' });
      expect(res.json().api_base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });
  });
});
