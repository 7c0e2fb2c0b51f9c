import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature } from '../../src/app/feature.js';
import { operationsFeature } from '../../src/app/operations.js';
import type { AppContext } from '../../src/app-context.js';
import { DEMO_OPERATOR_TOKEN, DEMO_TENANT_TOKEN } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { createTestContext } from '../helpers/test-context.js';

const basic = (password: string) =>
  `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`;

describe('operations', () => {
  let ctx: AppContext;
  let app: App;
  let queue: Queue;

  beforeAll(async () => {
    ctx = createTestContext();
    const sample: Feature = { name: 'sample', queues: ['sample-work'] };
    app = await buildApp(ctx, [sample, operationsFeature(() => [sample])]);
    queue = new Queue('sample-work', {
      connection: ctx.redis,
      prefix: queuePrefix(ctx.config, 'sample-work'),
    });
    await queue.add('one', { n: 1 });
    await queue.add('two', { n: 2 });
  });
  afterAll(async () => {
    await app.close();
    await queue.close();
    await ctx.close();
  });

  describe('health', () => {
    it('answers live', async () => {
      const response = await app.inject({ method: 'GET', url: '/health/live' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    });

    it('is ready while Redis answers, and not ready once shutting down', async () => {
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks).toEqual({ redis: true });

      const other = createTestContext();
      const otherApp = await buildApp(other, [operationsFeature(() => [])]);
      other.health.markShuttingDown();
      const draining = await otherApp.inject({ method: 'GET', url: '/health/ready' });
      expect(draining.statusCode).toBe(503);
      expect(draining.json()).toMatchObject({ status: 'not_ready', shuttingDown: true });
      await otherApp.close();
      await other.close();
    });

    it('is not ready when a registered check fails', async () => {
      const other = createTestContext();
      other.health.register('worker:evaluate', () => false);
      const otherApp = await buildApp(other, [operationsFeature(() => [])]);
      const response = await otherApp.inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toMatchObject({ redis: true, 'worker:evaluate': false });
      await otherApp.close();
      await other.close();
    });
  });

  describe('/metrics', () => {
    it('exposes HTTP durations by route and BullMQ queue depths once per family', async () => {
      await app.inject({ method: 'GET', url: '/health/live' });
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      const text = response.body;
      expect(text).toMatch(
        /acw_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
      );
      expect(text).toMatch(
        /bullmq_job_count\{queue="sample-work", state="waiting", service="acw"\} 2/,
      );
      expect(text.match(/# TYPE bullmq_job_count gauge/g)).toHaveLength(1);
    });
  });

  describe('/admin/queues', () => {
    it('refuses without a token and with a tenant token', async () => {
      const none = await app.inject({ method: 'GET', url: '/admin/queues' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Basic/);
      const tenant = await app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: { authorization: `Bearer ${DEMO_TENANT_TOKEN}` },
      });
      expect(tenant.statusCode).toBe(401);
    });

    it('opens with the operator token and lists the queues', async () => {
      const page = await app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: { authorization: basic(DEMO_OPERATOR_TOKEN) },
      });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: { authorization: `Bearer ${DEMO_OPERATOR_TOKEN}` },
      });
      expect(api.statusCode).toBe(200);
      expect(api.json().queues.map((q: { name: string }) => q.name)).toContain('sample-work');
    });
  });
});
