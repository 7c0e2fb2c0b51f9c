import type { InjectOptions, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { catalogFeature } from '../../src/app/catalog.js';
import { checkoutFeature } from '../../src/app/checkout.js';
import type { Feature } from '../../src/app/feature.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { buildApp } from '../../src/http/app.js';
import { FRAMEWORK_ERRORS, fromFrameworkError } from '../../src/http/framework-errors.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT_TOKEN,
} from '../helpers/catalog-app-context.js';

const auth = { authorization: `Bearer ${TENANT_TOKEN}`, 'idempotency-key': 'rest-errors-1' };

interface TenantRoute {
  method: string;
  url: string;
  /** the route's body schema refuses a missing body */
  bodyRequired: boolean;
}

/** Wraps a feature so every tenant route it registers is recorded, whatever the feature adds. */
function recording(feature: Feature, routes: TenantRoute[]): Feature {
  return {
    ...feature,
    async tenantRoutes(app, ctx) {
      app.addHook('onRoute', (route: RouteOptions) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        const body = (route.schema as { body?: ZodType } | undefined)?.body;
        for (const method of methods) {
          if (method === 'HEAD') continue;
          routes.push({
            method,
            // Any value fits every id parameter; the request never reaches a handler.
            url: route.url.replace(/:(\w+)/g, (_, name: string) => `sample-${name}`),
            bodyRequired: body !== undefined && !body.safeParse(undefined).success,
          });
        }
      });
      await feature.tenantRoutes?.(app, ctx);
    },
  };
}

describe('REST error answers', () => {
  let t: CatalogTestContext;
  let app: App;
  const routes: TenantRoute[] = [];

  /** Every answer of this file is checked: no framework code (FST_…) ever reaches a client. */
  const send = async (options: InjectOptions) => {
    const response = await app.inject(options);
    expect(response.body, `${options.method} ${options.url}`).not.toMatch(/FST_/);
    return response;
  };

  beforeAll(async () => {
    t = await catalogTestContext();
    const features = [catalogFeature, feedsFeature, checkoutFeature];
    app = await buildApp(
      t.ctx,
      features.map((feature) => recording(feature, routes)),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('found every tenant route of the service', () => {
    // A floor, so a broken recorder cannot make the tables below pass on nothing.
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(routes).toContainEqual({
      method: 'PUT',
      url: '/v1/products/sample-id',
      bodyRequired: true,
    });
  });

  describe('on every tenant route', () => {
    it('answers 401 with a Bearer challenge and our body without a token', async () => {
      for (const route of routes) {
        const res = await send({ method: route.method as InjectOptions['method'], url: route.url });
        const label = `${route.method} ${route.url}`;
        expect(res.statusCode, label).toBe(401);
        expect(res.headers['www-authenticate'], label).toBe('Bearer realm="acw api"');
        expect(res.json(), label).toEqual({
          error: 'Unauthorized',
          code: 'UNAUTHORIZED',
          message: 'missing or invalid bearer token',
          statusCode: 401,
        });
      }
    });
  });

  describe('on every route that takes a body (POST, PUT, DELETE)', () => {
    const bodyRoutes = () => routes.filter((r) => ['POST', 'PUT', 'DELETE'].includes(r.method));

    it.each([
      ['malformed JSON', '{"id": "A",', 'INVALID_JSON', /position \d+/],
      ['an empty JSON body', '', 'INVALID_JSON', /empty/],
    ])('answers 400 INVALID_JSON for %s', async (_, payload, code, message) => {
      for (const route of bodyRoutes()) {
        const res = await send({
          method: route.method as InjectOptions['method'],
          url: route.url,
          headers: { ...auth, 'content-type': 'application/json' },
          payload,
        });
        const label = `${route.method} ${route.url}`;
        expect(res.statusCode, label).toBe(400);
        expect(res.json(), label).toMatchObject({ error: 'Bad Request', code, statusCode: 400 });
        expect(res.json().message, label).toMatch(message);
      }
    });

    it.each([
      ['text/plain', { 'content-type': 'text/plain' }, '{"a":1}', /"text\/plain"/],
      ['application/xml', { 'content-type': 'application/xml' }, '<a/>', /"application\/xml"/],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', /form/],
      ['no content type', {}, Buffer.from('{"a":1}'), /\(none\)/],
    ])('answers 415 naming application/json for %s', async (_, headers, payload, names) => {
      for (const route of bodyRoutes()) {
        const res = await send({
          method: route.method as InjectOptions['method'],
          url: route.url,
          headers: { ...auth, ...headers },
          payload,
        });
        const label = `${route.method} ${route.url}`;
        expect(res.statusCode, label).toBe(415);
        expect(res.json(), label).toMatchObject({
          error: 'Unsupported Media Type',
          code: 'UNSUPPORTED_MEDIA_TYPE',
          statusCode: 415,
        });
        expect(res.json().message, label).toMatch(/send the body as application\/json/);
        expect(res.json().message, label).toMatch(names);
      }
    });

    it('answers 415 naming application/json when a route needs a body and none came', async () => {
      const needing = routes.filter((r) => r.bodyRequired);
      expect(needing.length).toBeGreaterThanOrEqual(6);
      for (const route of needing) {
        const res = await send({
          method: route.method as InjectOptions['method'],
          url: route.url,
          headers: auth,
        });
        const label = `${route.method} ${route.url}`;
        expect(res.statusCode, label).toBe(415);
        expect(res.json().message, label).toBe(
          'content type (none) is not accepted: send the body as application/json',
        );
      }
    });

    it('answers 413 PAYLOAD_TOO_LARGE naming the limit', async () => {
      const res = await send({
        method: 'PUT',
        url: '/v1/products/BIG-1',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ title: 'x'.repeat(1_100_000) }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: 'request body is larger than 1048576 bytes',
      });
    });
  });
});

describe('the framework error table', () => {
  it('maps each fastify code it lists to one of our codes, with that code status', () => {
    for (const [fastifyCode, ours] of Object.entries(FRAMEWORK_ERRORS)) {
      const error = Object.assign(new Error('from fastify'), {
        code: fastifyCode,
        statusCode: 400,
      });
      const mapped = fromFrameworkError(error);
      expect(mapped?.code, fastifyCode).toBe(ours);
      expect(mapped?.statusCode, fastifyCode).toBe(ERROR_CODES[ours].statusCode);
    }
  });

  it('answers an unlisted 4xx by its status and leaves faults alone', () => {
    const unlisted = (statusCode: number) =>
      Object.assign(new Error('odd'), { code: 'FST_ERR_SOMETHING_NEW', statusCode });
    expect(fromFrameworkError(unlisted(400))?.code).toBe('BAD_REQUEST');
    expect(fromFrameworkError(unlisted(404))?.code).toBe('NOT_FOUND');
    expect(fromFrameworkError(unlisted(415))?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(fromFrameworkError(unlisted(500))).toBeUndefined();
    expect(fromFrameworkError(new Error('a fault'))).toBeUndefined();
  });
});
