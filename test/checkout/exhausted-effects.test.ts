import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { checkoutFeature } from '../../src/app/checkout.js';
import type { Feature } from '../../src/app/feature.js';
import { operationsFeature } from '../../src/app/operations.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import type { CheckoutRecord } from '../../src/services/checkout/checkout-record.js';
import { buyBackpack, settledCheckout } from '../helpers/checkout-flow.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/** The sum of a metric's samples (of `series`, for a histogram) whose labels include `labels`. */
async function metricSum(
  h: CheckoutHarness,
  name: string,
  labels: Record<string, string>,
  series = name,
): Promise<number> {
  const metric = await h.ctx.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((value) => ((value as { metricName?: string }).metricName ?? name) === series)
    .filter((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))
    .reduce((sum, value) => sum + value.value, 0);
}

describe('effects whose attempts run out', () => {
  describe('when the capture gets no answer through all its attempts', () => {
    let h: CheckoutHarness;
    let app: App;
    let id: string;
    let delayed: CheckoutRecord;
    const captureId = () => `${id}.a1.capture`;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_EXHAUSTED_RETRY_MS: '200' },
        faults: {
          override: (call) => (call.path.endsWith('/capture') ? { status: 503 } : undefined),
        },
      });
      const features: Feature[] = [{ ...checkoutFeature, startWorkers: undefined }];
      app = await buildApp(h.ctx, [
        ...features,
        operationsFeature(() => features, readinessSourcesOf),
      ]);
      id = (await buyBackpack(h.service, TENANT)).checkout?.id as string;
      delayed = await waitFor(`checkout ${id} capture_delayed`, async () => {
        const checkout = await h.service.get(TENANT, id);
        return checkout?.state === 'capture_delayed' ? checkout : undefined;
      });
    });
    afterAll(async () => {
      await app.close();
      await catalogRuntime(h.ctx).close();
      await h.close();
    });

    it('shows the checkout capture_delayed with CAPTURE_UNCONFIRMED, not completing', () => {
      expect(delayed.lastFailure).toMatchObject({
        effectId: captureId(),
        blocker: { code: 'CAPTURE_UNCONFIRMED' },
      });
      expect(delayed.payments[0]?.state).toBe('capturing');
    });

    it('keeps the capture pending for another round instead of dead-lettering it', async () => {
      const view = await h.outbox().view(captureId());
      expect(view?.status).toBe('pending');
      expect(view?.history.slice(0, 2).map((record) => record.result)).toEqual([
        'transient',
        'exhausted',
      ]);
      expect((await h.outbox().listDead(10)).total).toBe(0);
    });

    it('counts it in acw_outbox_exhausted_total as retried later', async () => {
      // The count follows the settle that made the checkout capture_delayed: wait for it.
      const counted = await waitFor('the exhausted capture counted', async () => {
        const sum = await metricSum(h, 'acw_outbox_exhausted_total', {
          provider: 'payment',
          kind: 'capture',
          handling: 'retried_later',
        });
        return sum >= 1 ? sum : undefined;
      });
      expect(counted).toBeGreaterThanOrEqual(1);
    });

    it('lists it on the readiness page', async () => {
      const page = await app.inject({
        method: 'GET',
        url: `/admin/readiness?tenant=${TENANT}`,
        headers: { authorization: `Bearer ${DEMO_OPERATOR_TOKEN}` },
      });
      expect(page.statusCode).toBe(200);
      const table = /<table id="exhausted">[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
      expect(table).toContain(`<code>${captureId()}</code>`);
      expect(table).toContain('payment capture');
      expect(table).toContain('retried at');
    });
  });

  // Its own harness: the tests above read the capture while it still has no answer, and vitest
  // runs tests in a random order, so the one that brings the provider back cannot share theirs.
  describe('when the capture is answered after running out of attempts', () => {
    let h: CheckoutHarness;
    let captureDown = true;
    let id: string;
    const captureId = () => `${id}.a1.capture`;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_EXHAUSTED_RETRY_MS: '200' },
        faults: {
          override: (call) =>
            captureDown && call.path.endsWith('/capture') ? { status: 503 } : undefined,
        },
      });
      id = (await buyBackpack(h.service, TENANT)).checkout?.id as string;
      await waitFor(`checkout ${id} capture_delayed`, async () => {
        const checkout = await h.service.get(TENANT, id);
        return checkout?.state === 'capture_delayed' ? checkout : undefined;
      });
    });
    afterAll(() => h.close());

    it('completes the checkout once the provider answers: one capture, receipt and webhook', async () => {
      captureDown = false;
      const done = await settledCheckout(h, id, 'completed');
      expect(done.lastFailure).toBeNull();
      expect(done.orderId).toBe(`ord_${id.replace(/^co_/, '')}`);
      expect(h.sandbox.payment.capturesByCheckout.get(id)).toBe(1);
      expect(h.sandbox.receipt.stats.applied).toBe(1);
      expect(h.webhook.stats.applied).toBe(1);
      const view = await h.outbox().view(captureId());
      expect(view?.status).toBe('delivered');
      expect(view?.history.at(-1)?.result).toBe('delivered');
      const summary = await h.outbox().summary(h.ctx.clock.nowMs());
      expect(summary.exhausted).toBe(0);
    });
  });

  describe('when the authorization gets no answer through all its attempts', () => {
    let h: CheckoutHarness;
    let reopened: CheckoutRecord;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { OUTBOX_MAX_ATTEMPTS: '2' },
        faults: {
          override: (call) => (call.path === '/payments/authorize' ? { status: 503 } : undefined),
        },
      });
      const id = (await buyBackpack(h.service, TENANT)).checkout?.id as string;
      reopened = await settledCheckout(h, id, 'ready_for_payment');
    });
    afterAll(() => h.close());

    it('reopens the checkout with AUTHORIZATION_UNCONFIRMED and releases the stock', () => {
      expect(reopened.lastFailure).toMatchObject({
        effectId: `${reopened.id}.a1.authorize`,
        blocker: { code: 'AUTHORIZATION_UNCONFIRMED' },
      });
      expect(h.sandbox.reservation.reservations.get(`${reopened.id}.r1`)?.status).toBe('released');
    });

    it('dead-letters the authorization and counts it so', async () => {
      const view = await h.outbox().view(`${reopened.id}.a1.authorize`);
      expect(view?.status).toBe('dead');
      expect(
        await metricSum(h, 'acw_outbox_exhausted_total', {
          provider: 'payment',
          kind: 'authorize',
          handling: 'dead_lettered',
        }),
      ).toBe(1);
      const exhausted = await h.outbox().listExhausted(10);
      expect(exhausted.items.map((item) => [item.effect.id, item.nextRoundMs])).toEqual([
        [`${reopened.id}.a1.authorize`, null],
      ]);
    });
  });
});

describe('attempts that do not count', () => {
  describe('when a provider fails with Retry-After', () => {
    let h: CheckoutHarness;
    let unavailable = 0;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        env: { OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_RETRY_AFTER_MAX_MS: '50' },
        faults: {
          override: (call) => {
            if (call.path !== '/receipts' || unavailable >= 3) return undefined;
            unavailable += 1;
            return { status: 503, headers: { 'retry-after': '1' } };
          },
        },
      });
      const id = (await buyBackpack(h.service, TENANT)).checkout?.id as string;
      await settledCheckout(h, id, 'completed');
    });
    afterAll(() => h.close());

    it('waits as asked without spending attempts, then delivers', async () => {
      expect((await h.outbox().listDead(10)).total).toBe(0);
      expect(h.sandbox.receipt.stats.deliveries).toBe(4);
      expect(h.sandbox.receipt.stats.applied).toBe(1);
      const [id] = [...h.sandbox.receipt.stats.byKey.keys()];
      const view = await h.outbox().view(id as string);
      expect(view?.attempts).toBe(1);
      expect(view?.history.map((r) => [r.result, r.status])).toEqual([
        ['transient', 503],
        ['transient', 503],
        ['transient', 503],
        ['delivered', 201],
      ]);
    });
  });

  describe('when the circuit breaker holds a job', () => {
    let h: CheckoutHarness;
    let failures = 0;
    beforeAll(async () => {
      h = await startCheckoutHarness({
        // Each failure opens the receipt breaker; the retry that follows is held until the trial.
        // Counted, the holds would make the second failure the last of 3 attempts.
        env: {
          OUTBOX_MAX_ATTEMPTS: '3',
          BREAKER_FAILURE_THRESHOLD: '1',
          BREAKER_OPEN_MS: '1500',
        },
        faults: {
          override: (call) => {
            if (call.path !== '/receipts' || failures >= 2) return undefined;
            failures += 1;
            return { status: 503 };
          },
        },
      });
      const id = (await buyBackpack(h.service, TENANT)).checkout?.id as string;
      await settledCheckout(h, id, 'completed');
    });
    afterAll(() => h.close());

    it('holds the retries without spending attempts, then delivers on the trial call', async () => {
      const held = await metricSum(
        h,
        'acw_provider_call_duration_seconds',
        { provider: 'receipt', outcome: 'circuit_open' },
        'acw_provider_call_duration_seconds_count',
      );
      expect(held).toBeGreaterThanOrEqual(1);
      expect((await h.outbox().listDead(10)).total).toBe(0);
      const [id] = [...h.sandbox.receipt.stats.byKey.keys()];
      const view = await h.outbox().view(id as string);
      expect(view?.history.map((r) => r.result)).toEqual(['transient', 'transient', 'delivered']);
      expect(view?.attempts).toBe(3);
    });
  });
});
