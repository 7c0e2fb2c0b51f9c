import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import { type AcpSessionHarness, startAcpSessionHarness } from '../helpers/acp-session-harness.js';
import { specPath, specsAvailable } from '../helpers/specs.js';

/**
 * Every checkout flow of the 2026-04-17 examples (examples.agentic_checkout.json), sent as the
 * examples write them with only what names the merchant's world swapped for ours: the item id for
 * a product of the catalog, the fulfillment option for the one we offer, and the payment token
 * for a vault token delegated for the session. Each answer validates against the schema its
 * operation names.
 */
type Examples = Record<string, Record<string, unknown>>;

const PRODUCT = 'BAG-TRAVEL-42';

function examples(): Examples {
  const path = specPath('acp/examples/2026-04-17/examples.agentic_checkout.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Examples;
}

/** The example with our item and fulfillment option in place of the example merchant's. */
function ours(example: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(example)
      .replaceAll('"item_123"', JSON.stringify(PRODUCT))
      .replaceAll(/"fulfillment_option_\d+"/g, '"standard_shipping"'),
  );
}

/** A complete example paying with `token` instead of the example's credential. */
function payingWith(example: unknown, token: string): Record<string, unknown> {
  const body = ours(example) as { payment_data: { instrument: { credential: { token: string } } } };
  body.payment_data.instrument.credential.token = token;
  return body;
}

function valid(response: LightMyRequestResponse, status: number, def: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expectAcp2026('agentic_checkout', def, body);
  return body;
}

const COMPLETE_FLOWS = [
  ['create_checkout_session_request', 'complete_checkout_session_request'],
  [
    'create_checkout_session_request_with_first_touch_attribution',
    'complete_checkout_session_request_seller_backed',
  ],
  [
    'create_checkout_session_request',
    'complete_checkout_session_request_with_last_touch_attribution',
  ],
  ['create_checkout_session_request', 'complete_session_with_authentication_result_request'],
  ['create_checkout_session_request', 'complete_session_with_denied_authentication_request'],
] as const;

const CANCEL_FLOWS = [
  'cancel_checkout_session_request',
  'cancel_checkout_session_request_timing_deferred',
] as const;

describe.skipIf(!specsAvailable)('the ACP 2026-04-17 checkout examples, end to end', () => {
  let h: AcpSessionHarness;
  let ex: Examples;
  beforeAll(async () => {
    ex = examples();
    h = await startAcpSessionHarness();
  });
  afterAll(() => h?.close());

  const createFrom = async (name: string) =>
    valid(await h.post('/checkout_sessions', ours(ex[name])), 201, 'CheckoutSession');

  it('create → update (select the fulfillment option) → complete → get', async () => {
    const created = await createFrom('create_checkout_session_request');
    expect(created.status).toBe('ready_for_payment');
    const updated = valid(
      await h.post(`/checkout_sessions/${created.id}`, ours(ex.update_checkout_session_request)),
      200,
      'CheckoutSession',
    );
    expect(updated.status).toBe('ready_for_payment');
    expect(updated.selected_fulfillment_options[0].option_id).toBe('standard_shipping');
    const token = await h.vaultToken(created.id);
    const completed = valid(
      await h.post(
        `/checkout_sessions/${created.id}/complete`,
        payingWith(ex.complete_checkout_session_request, token),
      ),
      200,
      'CheckoutSessionWithOrder',
    );
    expect(completed.status).toBe('completed');
    const read = valid(
      await h.get(`/checkout_sessions/${created.id}`),
      200,
      'CheckoutSessionWithOrder',
    );
    expect(read.order).toEqual(completed.order);
    expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBe(1);
  });

  it.each(COMPLETE_FLOWS)('%s → %s completes once', async (createName, completeName) => {
    const created = await createFrom(createName);
    const token = await h.vaultToken(created.id);
    const completed = valid(
      await h.post(
        `/checkout_sessions/${created.id}/complete`,
        payingWith(ex[completeName], token),
      ),
      200,
      'CheckoutSessionWithOrder',
    );
    expect(completed).toMatchObject({
      status: 'completed',
      order: { checkout_session_id: created.id },
    });
    expect(h.sandbox.payment.capturesByCheckout.get(created.id)).toBe(1);
  });

  it.each(CANCEL_FLOWS)('create → %s', async (cancelName) => {
    const created = await createFrom('create_checkout_session_request');
    const canceled = valid(
      await h.post(`/checkout_sessions/${created.id}/cancel`, ours(ex[cancelName])),
      200,
      'CheckoutSession',
    );
    expect(canceled.status).toBe('canceled');
  });

  it('leaves no request example of the file out of the flows above', () => {
    const sent = new Set<string>([
      ...COMPLETE_FLOWS.flat(),
      ...CANCEL_FLOWS,
      'update_checkout_session_request',
    ]);
    const requests = Object.keys(ex).filter((name) =>
      /^(create|update|complete|cancel)_.*request$/.test(name),
    );
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((name) => !sent.has(name))).toEqual([]);
  });
});
