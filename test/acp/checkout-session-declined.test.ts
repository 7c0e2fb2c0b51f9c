import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import {
  type AcpSessionHarness,
  EU_ADDRESS,
  startAcpSessionHarness,
} from '../helpers/acp-session-harness.js';

/**
 * A payment the provider refuses (the capture is declined): the complete answers the session
 * reopened for payment with the spec's `payment_declined` message, as the example
 * `checkout_session_with_payment_declined` shows, and another complete may follow.
 */
describe('when the payment provider declines the capture', () => {
  let h: AcpSessionHarness;
  beforeAll(async () => {
    h = await startAcpSessionHarness({
      faults: {
        override: (call) =>
          call.path.endsWith('/capture')
            ? { status: 402, body: { error: 'card_declined' } }
            : undefined,
      },
    });
  });
  afterAll(() => h?.close());

  it('answers the session ready for payment again, with payment_declined', async () => {
    const created = await h.post('/checkout_sessions', {
      currency: 'eur',
      capabilities: {},
      line_items: [{ id: 'BAG-TRAVEL-42' }],
      fulfillment_details: { address: EU_ADDRESS },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const token = await h.vaultToken(id);
    const completed = await h.post(`/checkout_sessions/${id}/complete`, {
      payment_data: {
        handler_id: 'vault_token',
        instrument: { type: 'card', credential: { type: 'vault_token', token } },
      },
    });
    expect(completed.statusCode, completed.body).toBe(200);
    const session = completed.json();
    expectAcp2026('agentic_checkout', 'CheckoutSession', session);
    expect(session.status).toBe('ready_for_payment');
    expect(session.order).toBeUndefined();
    expect(session.messages).toEqual([
      expect.objectContaining({ type: 'error', code: 'payment_declined' }),
    ]);
    expect(h.sandbox.payment.capturesByCheckout.get(id) ?? 0).toBe(0);
  });
});
