import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import type { Feature } from '../../src/app/feature.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { operationsFeature } from '../../src/app/operations.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
  TENANT_TOKEN,
} from '../helpers/catalog-app-context.js';

const OPERATOR_TOKEN = 'operator-auth-test-operator-token';
const METRICS_TOKEN = 'operator-auth-test-metrics-token';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const OPERATOR_401 = {
  error: 'Unauthorized',
  code: 'OPERATOR_UNAUTHORIZED',
  message:
    'the operator token is required: sign in with any user name and OPERATOR_TOKEN as password, or send it as a bearer token',
  statusCode: 401,
};

describe('operator and metrics credentials', () => {
  let t: CatalogTestContext;
  let app: App;

  beforeAll(async () => {
    t = await catalogTestContext({ OPERATOR_TOKEN, METRICS_TOKEN });
    const features: Feature[] = [catalogFeature, feedsFeature];
    app = await buildApp(t.ctx, [
      ...features,
      operationsFeature(() => features, readinessSourcesOf),
    ]);
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  describe('/admin/* without the operator token', () => {
    // The bull-board page and its JSON API run inside bull-board's plugin (its own error
    // handler); the readiness page and its form posts run in ours. All must answer alike.
    it.each([
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/api/queues'],
      ['PUT', '/admin/queues/api/queues/evaluate-profiles/pause'],
      ['GET', `/admin/readiness?tenant=${TENANT}`],
      ['POST', `/admin/readiness/feeds/agent/publish?tenant=${TENANT}`],
    ] as const)(
      '%s %s asks for Basic auth and says the operator token is needed',
      async (method, url) => {
        for (const authorization of [
          undefined,
          `Bearer ${TENANT_TOKEN}`,
          basic('operator', TENANT_TOKEN),
          basic('operator', `${OPERATOR_TOKEN}x`),
          'Basic not-base64!',
        ]) {
          const res = await app.inject({
            method,
            url,
            headers: authorization === undefined ? {} : { authorization },
          });
          const label = `${method} ${url} with ${authorization}`;
          expect(res.statusCode, label).toBe(401);
          expect(res.headers['www-authenticate'], label).toBe(
            'Basic realm="acw operator", charset="UTF-8"',
          );
          expect(res.json(), label).toEqual(OPERATOR_401);
        }
      },
    );
  });

  describe('/admin/* with the operator token', () => {
    it('opens the dashboard API with Basic auth (any user name) and as a bearer token', async () => {
      for (const authorization of [basic('anyone', OPERATOR_TOKEN), `Bearer ${OPERATOR_TOKEN}`]) {
        const res = await app.inject({
          method: 'GET',
          url: '/admin/queues/api/queues',
          headers: { authorization },
        });
        expect(res.statusCode, authorization).toBe(200);
        expect(res.json().queues.length).toBeGreaterThan(0);
      }
    });

    it("keeps our error shape for a malformed body inside bull-board's plugin", async () => {
      const res = await app.inject({
        method: 'PUT',
        url: '/admin/queues/api/queues/evaluate-profiles/pause',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        payload: '{"broken"',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_JSON', statusCode: 400 });
      expect(res.body).not.toMatch(/FST_|ERRORS\.INTERNAL_SERVER_ERROR/);
    });
  });

  describe('/metrics with METRICS_TOKEN set', () => {
    it('answers 401 with a Bearer challenge without it, and the text with it', async () => {
      for (const authorization of [
        undefined,
        `Bearer ${TENANT_TOKEN}`,
        `Bearer ${OPERATOR_TOKEN}`,
      ]) {
        const res = await app.inject({
          method: 'GET',
          url: '/metrics',
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(res.statusCode, authorization).toBe(401);
        expect(res.headers['www-authenticate'], authorization).toBe('Bearer realm="acw metrics"');
        expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', statusCode: 401 });
      }
      const ok = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatch(/acw_http_request_duration_seconds/);
    });
  });
});
