import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { checkoutFeature } from '../../src/app/checkout.js';
import type { Feature } from '../../src/app/feature.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { operationsFeature } from '../../src/app/operations.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { buyBackpack } from '../helpers/checkout-flow.js';
import {
  type CheckoutHarness,
  startCheckoutHarness,
  TENANT,
  TOKEN,
} from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/** The value of one sample in a Prometheus exposition; 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries(
      [...inside.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

describe('/metrics after real traffic', () => {
  let h: CheckoutHarness;
  let app: App;
  /** Receipts the provider takes once replayed; it refuses every other receipt for good. */
  const accepted = new Set<string>();
  const operator = { authorization: `Bearer ${DEMO_OPERATOR_TOKEN}` };
  const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;

  beforeAll(async () => {
    h = await startCheckoutHarness({
      faults: {
        override: (call) =>
          call.path === '/receipts' && !accepted.has(call.idempotencyKey ?? '')
            ? { status: 400, body: { error: 'no' } }
            : undefined,
      },
    });
    const features: Feature[] = [
      catalogFeature,
      feedsFeature,
      { ...checkoutFeature, startWorkers: undefined },
    ];
    app = await buildApp(h.ctx, [
      ...features,
      operationsFeature(() => features, readinessSourcesOf),
    ]);
  });
  afterAll(async () => {
    await app.close();
    await catalogRuntime(h.ctx).close();
    await h.close();
  });

  /** Buys a backpack and waits until its refused receipt is dead-lettered; returns the effect id. */
  async function deadLetteredReceipt(): Promise<string> {
    const bought = await buyBackpack(h.service, TENANT);
    const receiptId = `${bought.checkout?.id}.a1.receipt`;
    await waitFor('the receipt dead-lettered', async () =>
      (await h.outbox().view(receiptId))?.status === 'dead' ? true : undefined,
    );
    return receiptId;
  }

  it('moves the HTTP, job, decision, provider, outbox and queue figures', async () => {
    const before = await scrape();

    // HTTP traffic through the ingress, a domain evaluation, and a checkout whose receipt is refused.
    const profile = await app.inject({
      method: 'GET',
      url: '/v1/products/BAG-TRAVEL-42/profile?region=EU&buyerType=consumer&channel=agent',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(profile.statusCode).toBe(200);
    const runtime = catalogRuntime(h.ctx);
    await runtime.evaluation.evaluateBatch(
      runtime.storesOf(TENANT),
      ['BAG-TRAVEL-42'],
      h.ctx.clock.nowMs(),
    );
    await deadLetteredReceipt();

    // The effect is dead-lettered before its BullMQ job is moved to failed (the job throws after
    // the settlement): scraped until the job has got there too.
    const failedReceipts = { queue: 'deliver-effect-receipt', state: 'failed' };
    const after = await waitFor('the refused receipt job failed', async () => {
      const scraped = await scrape();
      return sample(scraped, 'bullmq_job_count', failedReceipts) >
        sample(before, 'bullmq_job_count', failedReceipts)
        ? scraped
        : undefined;
    });
    const moved = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(
      moved('acw_http_request_duration_seconds_count', {
        route: '/v1/products/:id/profile',
        status_code: '200',
      }),
    ).toBe(1);
    expect(
      moved('acw_decisions_total', { action: 'prepare_checkout', result: 'allowed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      moved('acw_provider_call_duration_seconds_count', { provider: 'payment', outcome: '2xx' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      moved('acw_provider_call_duration_seconds_count', { provider: 'receipt', outcome: '4xx' }),
    ).toBe(1);
    expect(
      moved('acw_job_duration_seconds_count', {
        queue: 'deliver-effect-payment',
        outcome: 'completed',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(moved('acw_outbox_entries', { tenant: TENANT, state: 'dead_letter' })).toBe(1);
    // Delivered jobs are removed on completion; the refused receipt's failed job is kept.
    expect(moved('bullmq_job_count', failedReceipts)).toBe(1);
  });

  it('shows the dead letter on the readiness page, and its Replay button delivers it', async () => {
    const id = await deadLetteredReceipt();
    const deadLetters = async () =>
      sample(await scrape(), 'acw_outbox_entries', { tenant: TENANT, state: 'dead_letter' });
    const before = await deadLetters();
    const page = await app.inject({
      method: 'GET',
      url: `/admin/readiness?tenant=${TENANT}`,
      headers: operator,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<code>${id}</code>`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;

    accepted.add(id);
    const replay = await app.inject({
      method: 'POST',
      url: `/admin/readiness/dead-letter/${encodeURIComponent(id)}/replay?tenant=${TENANT}`,
      headers: { ...operator, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toContain('notice=Replayed');
    await h.sandbox.receipt.appliedAtLeast(1);
    await waitFor('the replayed receipt settled', async () =>
      (await h.outbox().view(id))?.status === 'delivered' ? true : undefined,
    );
    expect(await deadLetters()).toBe(before - 1);
  });
});
