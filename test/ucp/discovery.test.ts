import Fastify from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_CAPABILITIES } from '../../src/adapters/ucp/capabilities.js';
import {
  DELEGATED_PAYMENT_HANDLER,
  paymentHandlersOf,
} from '../../src/adapters/ucp/payment-handler.js';
import { UCP_VERSION } from '../../src/adapters/ucp/version.js';
import type { App } from '../../src/http/types.js';
import { UCP_DISCOVERY_PATH, ucpDiscoveryRoutes } from '../../src/http/ucp/discovery-routes.js';
import { specsAvailable } from '../helpers/specs.js';
import { expectUcp, ucpValidator } from '../helpers/ucp-schemas.js';

const BASE = 'https://shop.example.com';

async function discoveryApp(options: Parameters<typeof ucpDiscoveryRoutes>[2]): Promise<App> {
  const app: App = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await ucpDiscoveryRoutes(app, { PUBLIC_BASE_URL: BASE, HOST: '127.0.0.1', PORT: 0 }, options);
  return app;
}

/** The profile must also pass the schema's own top level (platform or business profile). */
function expectWholeProfileSchema(body: unknown): void {
  if (!specsAvailable) return;
  const validate = ucpValidator('discovery/profile.json');
  expect(validate(body), JSON.stringify(validate.errors, null, 2)).toBe(true);
}

describe('GET /.well-known/ucp', () => {
  let full: App;
  let restOnly: App;
  beforeAll(async () => {
    full = await discoveryApp({ mcpPath: '/mcp', a2aCardPath: '/.well-known/agent-card.json' });
    restOnly = await discoveryApp({});
  });
  afterAll(async () => {
    await full.close();
    await restOnly.close();
  });

  describe('without any credential', () => {
    it('answers the business profile, valid against the 2026-04-08 profile schema', async () => {
      const res = await full.inject({ method: 'GET', url: UCP_DISCOVERY_PATH });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json();
      expectUcp('profile', body);
      expectWholeProfileSchema(body);
      expect(body.ucp.version).toBe(UCP_VERSION);
    });

    it('names the REST, MCP and A2A bindings under the public base URL', async () => {
      const body = (await full.inject({ method: 'GET', url: UCP_DISCOVERY_PATH })).json();
      const services = body.ucp.services['dev.ucp.shopping'] as {
        transport: string;
        endpoint: string;
      }[];
      expect(services.map(({ transport, endpoint }) => [transport, endpoint])).toEqual([
        ['rest', `${BASE}/ucp/v1`],
        ['mcp', `${BASE}/mcp`],
        ['a2a', `${BASE}/.well-known/agent-card.json`],
      ]);
      expect(services[0]).toMatchObject({
        schema: `https://ucp.dev/${UCP_VERSION}/services/shopping/rest.openapi.json`,
        spec: `https://ucp.dev/${UCP_VERSION}/specification/overview`,
      });
    });

    it('declares exactly our capabilities and the payment handler checkouts name', async () => {
      const body = (await full.inject({ method: 'GET', url: UCP_DISCOVERY_PATH })).json();
      expect(body.ucp.capabilities).toEqual(BUSINESS_CAPABILITIES);
      expect(Object.keys(body.ucp.capabilities)).not.toContain('dev.ucp.shopping.fulfillment');
      expect(body.ucp.payment_handlers).toEqual(paymentHandlersOf(BASE));
      expect(body.ucp.payment_handlers[DELEGATED_PAYMENT_HANDLER.name][0].config.token_url).toBe(
        `${BASE}/agentic_commerce/delegate_payment`,
      );
    });

    it('may be cached publicly for at least 60 seconds, and revalidated by its ETag', async () => {
      const res = await full.inject({ method: 'GET', url: UCP_DISCOVERY_PATH });
      const cacheControl = res.headers['cache-control'] as string;
      expect(cacheControl).toContain('public');
      expect(Number(/max-age=(\d+)/.exec(cacheControl)?.[1])).toBeGreaterThanOrEqual(60);
      const again = await full.inject({
        method: 'GET',
        url: UCP_DISCOVERY_PATH,
        headers: { 'if-none-match': res.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });
  });

  it.skipIf(!specsAvailable)(
    'is judged by a validator that refuses it without payment_handlers',
    async () => {
      const body = (await full.inject({ method: 'GET', url: UCP_DISCOVERY_PATH })).json();
      delete body.ucp.payment_handlers;
      expect(ucpValidator('discovery/profile.json#/$defs/business_profile')(body)).toBe(false);
    },
  );

  describe('when only REST is served', () => {
    it('lists the REST binding alone, still schema-valid', async () => {
      const body = (await restOnly.inject({ method: 'GET', url: UCP_DISCOVERY_PATH })).json();
      expectUcp('profile', body);
      expectWholeProfileSchema(body);
      expect(body.ucp.services['dev.ucp.shopping']).toHaveLength(1);
      expect(body.ucp.services['dev.ucp.shopping'][0].transport).toBe('rest');
    });
  });
});
