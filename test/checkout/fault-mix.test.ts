import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../src/providers/sandbox/index.js';
import type { CheckoutRecord } from '../../src/services/checkout/checkout-record.js';
import { buyBackpack } from '../helpers/checkout-flow.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Issue 9, item 4: under 30 % provider faults no checkout may hang in `completing`. Every
 * provider (and the webhook receiver) fails 30 % of calls with a 503, a reset after applying the
 * call, or a hang past the request timeout; attempts are few (3), so reservations,
 * authorizations and captures do run out of them, and the breaker opens now and then.
 */
const CHECKOUTS = 100;

/**
 * Final for the buyer: completed, canceled or expired, or reopened with the reason
 * (`ready_for_payment` with `lastFailure`). `capture_delayed` is not: it waits on the provider.
 */
function isFinal(checkout: CheckoutRecord | undefined): boolean {
  if (checkout === undefined) return false;
  if (['completed', 'canceled', 'expired'].includes(checkout.state)) return true;
  return checkout.state === 'ready_for_payment' && checkout.lastFailure !== null;
}

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined) {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

describe('checkouts under a 30 % provider fault mix', () => {
  let h: CheckoutHarness;
  let ids: string[];
  let final: CheckoutRecord[];
  /** Checkout id → when the polling first saw it final, ms after the first complete was sent. */
  const finalAtMs = new Map<string, number>();
  let sawDelayed = 0;

  beforeAll(async () => {
    // A hang: the call is applied, the answer comes long after the request timeout. undici checks
    // its headers and body timeouts on a coarse clock (about every 0.5 s, lib/util/timers.js), so
    // the hang must outlast that, not only the 150 ms configured.
    const faults: FaultOptions = { rate: 0.3, seed: 9, timeoutMs: 2_500 };
    h = await startCheckoutHarness({
      faults,
      webhookFaults: { ...faults, seed: 19 },
      env: {
        PROVIDER_REQUEST_TIMEOUT_MS: '150',
        OUTBOX_MAX_ATTEMPTS: '3',
        OUTBOX_BACKOFF_BASE_MS: '20',
        OUTBOX_BACKOFF_MAX_MS: '200',
        OUTBOX_EXHAUSTED_RETRY_MS: '500',
        BREAKER_FAILURE_THRESHOLD: '5',
        BREAKER_OPEN_MS: '200',
        DELIVERY_CONCURRENCY: '32',
      },
    });
    const startedAt = performance.now();
    const results = await Promise.all(
      Array.from({ length: CHECKOUTS }, () => buyBackpack(h.service, TENANT)),
    );
    ids = results.map((result) => result.checkout?.id as string);
    const delayed = new Set<string>();
    final = await waitFor(
      `${CHECKOUTS} checkouts final with nothing pending`,
      async () => {
        const counts = await h.outbox().countByStatus();
        const checkouts = await Promise.all(ids.map((id) => h.service.get(TENANT, id)));
        for (const checkout of checkouts) {
          if (checkout?.state === 'capture_delayed') delayed.add(checkout.id);
          if (checkout !== undefined && isFinal(checkout) && !finalAtMs.has(checkout.id)) {
            finalAtMs.set(checkout.id, performance.now() - startedAt);
          }
        }
        return counts.pending === 0 && checkouts.every(isFinal)
          ? (checkouts as CheckoutRecord[])
          : undefined;
      },
      { timeoutMs: 55_000, intervalMs: 50 },
    );
    sawDelayed = delayed.size;
    const times = [...finalAtMs.values()].sort((a, b) => a - b);
    const states = countBy(final, (c) => c.state);
    const blockers = countBy(final, (c) => c.lastFailure?.blocker?.code);
    console.log(
      `fault mix: ${CHECKOUTS} checkouts final; the last after ${Math.round(times.at(-1) ?? 0)} ms ` +
        `(median ${Math.round(times[Math.floor(times.length / 2)] ?? 0)} ms); ` +
        `states ${JSON.stringify(Object.fromEntries(states))}, ` +
        `blockers ${JSON.stringify(Object.fromEntries(blockers))}, ` +
        `${sawDelayed} seen capture_delayed`,
    );
  }, 70_000);
  afterAll(() => h.close());

  it('injected every kind of fault', () => {
    for (const server of [h.sandbox.reservation, h.sandbox.payment, h.sandbox.receipt]) {
      expect(server.stats.faults['5xx']).toBeGreaterThan(0);
      expect(server.stats.faults.reset).toBeGreaterThan(0);
      expect(server.stats.faults.timeout).toBeGreaterThan(0);
    }
  });

  it('ran some effects out of attempts (the case that used to hang)', async () => {
    const exhausted = await h.outbox().listExhausted(1000);
    const dead = await h.outbox().listDead(1000);
    // Every exhausted effect is answered by now or dead-lettered: none is left retrying.
    expect(exhausted.items.every((item) => item.status === 'dead')).toBe(true);
    expect(exhausted.total + sawDelayed).toBeGreaterThan(0);
    expect(dead.total).toBeGreaterThanOrEqual(exhausted.total);
  });

  it('brings every checkout to completed, or reopened with a blocker', () => {
    for (const checkout of final) {
      if (checkout.state === 'completed') continue;
      expect(checkout.state).toBe('ready_for_payment');
      expect(['RESERVATION_UNCONFIRMED', 'AUTHORIZATION_UNCONFIRMED']).toContain(
        checkout.lastFailure?.blocker?.code,
      );
    }
    expect(finalAtMs.size).toBe(CHECKOUTS);
  });

  it('charges each completed checkout exactly once and a reopened one never', () => {
    for (const checkout of final) {
      const captures = h.sandbox.payment.capturesByCheckout.get(checkout.id) ?? 0;
      expect(captures, checkout.id).toBe(checkout.state === 'completed' ? 1 : 0);
      if (checkout.state === 'completed') {
        expect(checkout.payments[0]?.state).toBe('captured');
      }
    }
  });

  it('issues at most one receipt and one webhook per checkout, none for a reopened one', async () => {
    const receipts = countBy([...h.sandbox.receipt.receipts.values()], (r) => r.checkoutId);
    const webhooks = countBy(
      h.webhook.received,
      (w) => (w.body as { data?: { checkoutId?: string } }).data?.checkoutId,
    );
    const dead = (await h.outbox().listDead(1000)).items.map((item) => item.effect.id);
    for (const checkout of final) {
      const completed = checkout.state === 'completed';
      for (const [kind, counts] of [
        ['receipt', receipts],
        ['webhook', webhooks],
      ] as const) {
        const sent = counts.get(checkout.id) ?? 0;
        const deadLettered = dead.some((id) => id.startsWith(`${checkout.id}.a1.${kind}`));
        expect(sent, `${checkout.id} ${kind}`).toBeLessThanOrEqual(completed ? 1 : 0);
        // Delivered once; one dead-lettered after its attempts may still have landed (a reset or
        // a hang after the provider applied it).
        if (completed && !deadLettered) expect(sent, `${checkout.id} ${kind}`).toBe(1);
      }
    }
  });

  it('leaves no stock held for a reopened checkout unless its release was dead-lettered', async () => {
    for (const checkout of final.filter((c) => c.state !== 'completed')) {
      const held = h.sandbox.reservation.reservations.get(`${checkout.id}.r1`)?.status === 'held';
      const release = await h.outbox().view(`${checkout.id}.a1.release`);
      expect(held && release?.status !== 'dead', checkout.id).toBe(false);
    }
  });
});
