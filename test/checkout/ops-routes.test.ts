import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import {
  type CheckoutHarness,
  OTHER_TENANT,
  OTHER_TOKEN,
  startCheckoutHarness,
  TENANT,
  TOKEN,
} from '../helpers/checkout-harness.js';

/** The outbox's operator routes, each through the operations service (no workers running). */
describe('outbox operator routes', () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await startCheckoutHarness({ workers: false });
  });
  afterAll(() => h.close());

  const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${OTHER_TOKEN}` },
      ...(payload === undefined ? {} : { payload }),
    });

  describe('webhook subscribers', () => {
    it('registers one with the default events, lists it, removes it, then answers 404', async () => {
      const put = await call('PUT', '/v1/ops/webhook-subscribers/ops-hooks', {
        url: 'https://agent.example/hooks',
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({
        id: 'ops-hooks',
        url: 'https://agent.example/hooks',
        events: ['order.completed'],
      });
      expect((await call('GET', '/v1/ops/webhook-subscribers')).json()).toEqual({
        subscribers: [put.json()],
      });
      expect((await call('DELETE', '/v1/ops/webhook-subscribers/ops-hooks')).statusCode).toBe(204);
      const again = await call('DELETE', '/v1/ops/webhook-subscribers/ops-hooks');
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses a subscriber that is not http(s) with a 400', async () => {
      const response = await call('PUT', '/v1/ops/webhook-subscribers/bad-hooks', {
        url: 'ftp://agent.example/hooks',
      });
      expect(response.statusCode).toBe(400);
      expect((await call('GET', '/v1/ops/webhook-subscribers')).json()).toEqual({
        subscribers: [],
      });
    });
  });

  describe('the outbox', () => {
    it('counts effects by status and answers 404 for an unknown effect', async () => {
      expect((await call('GET', '/v1/ops/outbox')).json()).toEqual({
        pending: 0,
        delivered: 0,
        dead: 0,
        superseded: 0,
      });
      const unknown = await call('GET', '/v1/ops/outbox/no-such-effect');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('reconciliation', () => {
    it('answers 404 before a run and the stored report after one', async () => {
      expect((await call('GET', '/v1/ops/reconciliation')).statusCode).toBe(404);
      const report = {
        tenant: OTHER_TENANT,
        checkedAt: '2026-01-02T03:04:05.000Z',
        checked: 2,
        inFlight: 1,
        drift: [],
      };
      await new CheckoutStore(
        h.ctx.redis,
        h.ctx.config.KEY_PREFIX,
        OTHER_TENANT,
      ).putReconciliationReport(JSON.stringify(report));
      const stored = await call('GET', '/v1/ops/reconciliation');
      expect(stored.statusCode).toBe(200);
      expect(stored.json()).toEqual(report);
    });

    it("queues a run for the caller's tenant", async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/ops/reconciliation',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.statusCode).toBe(202);
      const waiting = await h.queues.reconcile.getJobs(['waiting', 'prioritized']);
      expect(waiting.map((job) => job.data)).toContainEqual({ tenant: TENANT });
    });
  });
});
