import { randomUUID } from 'node:crypto';
import { type Message, SendMessageRequest, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aHarness, ACME_TOKEN, clientFactory, startA2aHarness } from '../helpers/a2a.js';
import {
  ap2Over,
  type MandateKnobs,
  merchantSignedClaims,
  type TestKey,
  testKey,
} from '../helpers/mandate-issuer.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * AP2 mandates over A2A with the official SDK client: the agent fills and prepares a cart over
 * A2A, the checkout is signed for a mandate, and `delegate_payment` carries the mandates
 * instead of an allowance. The intent worker verifies them against the signed checkout; the
 * domain decides, as it does for an allowance.
 */

interface Step {
  outcome: 'applied' | 'refused';
  result: string;
  blockers: { code: string }[];
  checkout: { id: string; state: string };
  ap2Receipt?: string;
  ap2?: { checkout_jwt: string; checkout_hash: string; nonce: string; audience: string };
}

describe('AP2 mandates over A2A delegate_payment', () => {
  let harness: A2aHarness;
  let client: Client;
  let issuer: TestKey;
  let agent: TestKey;

  beforeAll(async () => {
    [issuer, agent] = await Promise.all([testKey('agent-provider-1'), testKey('agent-key')]);
    harness = await startA2aHarness({
      catalog: 'ready',
      env: { AP2_TRUSTED_ISSUERS_JWKS: JSON.stringify({ keys: [issuer.publicJwk] }) },
    });
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
  });
  afterAll(() => harness?.close());

  async function step(data: Record<string, unknown>): Promise<Step> {
    const result = await client.sendMessage(
      SendMessageRequest.fromJSON({
        message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data }] },
      }),
    );
    const task = result as Exclude<typeof result, Message>;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const content = task.artifacts[0]?.parts[0]?.content;
    if (content?.$case !== 'data') throw new Error('the task has no data artifact');
    return content.value as unknown as Step;
  }

  /** A cart of two backpacks prepared over A2A and signed for a mandate; its mandates. */
  async function preparedAndSigned(knobs: MandateKnobs = {}) {
    const added = await step({
      action: 'add_to_cart',
      productId: 'BAG-TRAVEL-42',
      quantity: 2,
      country: 'DE',
      buyerType: 'consumer',
    });
    const checkoutId = added.checkout.id;
    const prepared = await step({ action: 'prepare_checkout', cartId: checkoutId });
    expect(prepared.outcome).toBe('applied');
    // The prepare answer carries the checkout signed for mandates to bind to.
    const signed = prepared.ap2;
    if (signed === undefined) throw new Error('the prepared checkout was not signed');
    expect(signed.audience).toBe('acme');
    return {
      checkoutId,
      signed,
      ap2: await ap2Over(
        { checkoutJwt: signed.checkout_jwt, nonce: signed.nonce },
        { issuer, agent, nowMs: harness.clock.nowMs() },
        knobs,
      ),
    };
  }

  it('signs a prepared checkout in the prepare answer, with the merchant key', async () => {
    const { checkoutId, signed } = await preparedAndSigned();
    const payload = await merchantSignedClaims(harness.ctx, signed.checkout_jwt);
    expect(payload).toMatchObject({ id: checkoutId, merchant: { id: 'acme' }, currency: 'EUR' });
    expect(payload.totals).toContainEqual({ type: 'total', amount: 25800 });
    expect(signed.nonce.length).toBeGreaterThan(10);
  });

  it('starts the payment on valid mandates, as it does on an allowance', async () => {
    const { checkoutId, ap2 } = await preparedAndSigned();
    const delegated = await step({ action: 'delegate_payment', checkoutId, ap2 });
    expect(delegated).toMatchObject({ outcome: 'applied', result: 'allowed' });
    expect(delegated.checkout.id).toBe(checkoutId);
    expect(await merchantSignedClaims(harness.ctx, delegated.ap2Receipt)).toMatchObject({
      status: 'Success',
      order_id: `ord_${checkoutId.slice(3)}`,
    });
    await waitFor('the capture', async () =>
      harness.sandbox?.payment.capturesByCheckout.get(checkoutId) === 1 ? true : undefined,
    );
  });

  it('refuses mandates for another amount with the blocker the checkout API gives', async () => {
    const { checkoutId, ap2 } = await preparedAndSigned({ amount: 100 });
    const delegated = await step({ action: 'delegate_payment', checkoutId, ap2 });
    expect(delegated).toMatchObject({ outcome: 'refused', result: 'blocked' });
    expect(delegated.blockers.map((b) => b.code)).toEqual(['MANDATE_AMOUNT_MISMATCH']);
    expect(await merchantSignedClaims(harness.ctx, delegated.ap2Receipt)).toMatchObject({
      status: 'Error',
      error: 'invalid_mandate',
      error_description: expect.stringContaining('MANDATE_AMOUNT_MISMATCH'),
    });
    expect(harness.sandbox?.payment.capturesByCheckout.get(checkoutId)).toBeUndefined();
  });

  it('refuses a delegate_payment naming both an allowance and mandates, before queuing it', async () => {
    const { checkoutId, ap2 } = await preparedAndSigned();
    await expect(
      client.sendMessage(
        SendMessageRequest.fromJSON({
          message: {
            messageId: randomUUID(),
            role: 'ROLE_USER',
            parts: [
              {
                data: {
                  action: 'delegate_payment',
                  checkoutId,
                  ap2,
                  allowance: {
                    reason: 'one_time',
                    max_amount: 1,
                    currency: 'eur',
                    checkout_session_id: checkoutId,
                    merchant_id: 'acme',
                    expires_at: '2099-01-01T00:00:00Z',
                  },
                },
              },
            ],
          },
        }),
      ),
    ).rejects.toThrow(/exactly one payment authority/);
  });
});
