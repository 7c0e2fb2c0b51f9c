import { randomUUID } from 'node:crypto';
import { type Message, SendMessageRequest, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { type A2aHarness, ACME_TOKEN, clientFactory, startA2aHarness } from '../helpers/a2a.js';
import { allowanceFor } from '../helpers/checkout-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

function send(data: Record<string, unknown>): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data }] },
  });
}

interface Step {
  type: string;
  action: string;
  outcome: 'applied' | 'refused';
  result: string;
  blockers: { code: string }[];
  checkout: {
    id: string;
    state: string;
    preparedTotal: { amount: number; currency: string } | null;
  } & Record<string, unknown>;
}

/** The checkout step an A2A task reports in its artifact. */
async function step(client: Client, data: Record<string, unknown>): Promise<Step> {
  const result = await client.sendMessage(send(data));
  const task = result as Exclude<typeof result, Message>;
  expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  const content = task.artifacts[0]?.parts[0]?.content;
  if (content?.$case !== 'data') throw new Error('the task has no data artifact');
  return content.value as unknown as Step;
}

describe('A2A checkout end to end (SDK client → queue → checkout service → outbox → providers)', () => {
  let harness: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    harness = await startA2aHarness({ catalog: 'ready' });
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('when an agent fills a cart, prepares it and delegates payment with an allowance', () => {
    let added: Step;
    let prepared: Step;
    let delegated: Step;
    let checkoutId: string;

    beforeAll(async () => {
      added = await step(client, {
        action: 'add_to_cart',
        productId: 'BAG-TRAVEL-42',
        quantity: 2,
        country: 'DE',
        buyerType: 'consumer',
      });
      checkoutId = added.checkout.id;
      prepared = await step(client, { action: 'prepare_purchase', cartId: checkoutId });
      delegated = await step(client, {
        action: 'delegate_payment',
        checkoutId,
        allowance: allowanceFor(checkoutId, 30_000, harness.clock.nowMs()),
      });
    });

    it('opens a cart and adds the line (allowed)', () => {
      expect(added).toMatchObject({ type: 'checkout', outcome: 'applied', result: 'allowed' });
      expect(added.checkout).toMatchObject({ state: 'cart_open', lines: [{ quantity: 2 }] });
    });

    it('prepares the checkout at the re-priced total', () => {
      expect(prepared).toMatchObject({ action: 'prepare_checkout', outcome: 'applied' });
      expect(prepared.checkout).toMatchObject({
        state: 'ready_for_payment',
        preparedTotal: { amount: 25_800, currency: 'EUR' },
      });
    });

    it('accepts the allowance as authority input and starts the payment', () => {
      expect(delegated).toMatchObject({ outcome: 'applied', result: 'allowed' });
      expect(delegated.checkout.state).toBe('completing');
    });

    it('completes the checkout, each effect reaching its loopback provider exactly once', async () => {
      const { reservation, payment, receipt } = harness.sandbox ?? {};
      if (reservation === undefined || payment === undefined || receipt === undefined)
        throw new Error('no sandbox providers');
      const { config, redis } = harness.ctx;
      const checkouts = new CheckoutStore(redis, config.KEY_PREFIX, 'acme');
      const outbox = new OutboxStore(redis, config.KEY_PREFIX, 'acme');
      // The final state is written by the delivery workers after the last provider answered.
      const completed = await waitFor(
        'the checkout to complete and its outbox to settle',
        async () => {
          const stored = await checkouts.load(checkoutId);
          const checkout = stored === undefined ? undefined : JSON.parse(stored.doc);
          const counts = await outbox.countByStatus();
          return checkout?.state === 'completed' && counts.pending === 0 ? checkout : undefined;
        },
      );
      expect(completed.orderId).toMatch(/^ord_/);
      // The providers serve the other tests' checkouts too: count this checkout's keys only.
      const deliveriesOf = (server: { stats: { byKey: Map<string, number> } }) =>
        [...server.stats.byKey].filter(([key]) => key.startsWith(`${checkoutId}.`));
      expect(deliveriesOf(reservation)).toHaveLength(1);
      expect(deliveriesOf(payment)).toHaveLength(2); // authorize, then capture
      expect(deliveriesOf(receipt)).toHaveLength(1);
      for (const server of [reservation, payment, receipt]) {
        expect(server.stats.missingKey).toBe(0);
        // Each effect delivered once: no retry, no replay.
        for (const [, deliveries] of deliveriesOf(server)) expect(deliveries).toBe(1);
      }
    });
  });

  describe('when the same delegate_payment message is sent again', () => {
    it('answers the same task and starts no second payment', async () => {
      const cart = await step(client, {
        action: 'add_to_cart',
        productId: 'BAG-TRAVEL-42',
        quantity: 1,
        country: 'DE',
        buyerType: 'consumer',
      });
      const id = cart.checkout.id;
      await step(client, { action: 'prepare_checkout', cartId: id });
      const request = send({
        action: 'delegate_payment',
        checkoutId: id,
        allowance: allowanceFor(id, 12_900, harness.clock.nowMs()),
      });
      const [first, second] = await Promise.all([
        client.sendMessage(request),
        client.sendMessage(request),
      ]);
      const a = first as Exclude<typeof first, Message>;
      const b = second as Exclude<typeof second, Message>;
      expect(a.id).toBe(b.id);
      const stored = await new CheckoutStore(
        harness.ctx.redis,
        harness.ctx.config.KEY_PREFIX,
        'acme',
      ).load(id);
      expect(JSON.parse(stored?.doc ?? '{}').payments).toHaveLength(1);
    });
  });

  describe('when the allowance does not cover the total', () => {
    it('completes the task with a refused step naming the blocker, and no payment starts', async () => {
      const cart = await step(client, {
        action: 'add_to_cart',
        productId: 'BAG-TRAVEL-42',
        quantity: 1,
        country: 'DE',
        buyerType: 'consumer',
      });
      const id = cart.checkout.id;
      await step(client, { action: 'prepare_checkout', cartId: id });
      const refused = await step(client, {
        action: 'delegate_payment',
        checkoutId: id,
        allowance: allowanceFor(id, 100, harness.clock.nowMs()),
      });
      expect(refused).toMatchObject({ outcome: 'refused', result: 'blocked' });
      expect(refused.blockers.length).toBeGreaterThan(0);
      expect(refused.checkout.state).toBe('ready_for_payment');
    });
  });

  describe('when a cart of no checkout is named', () => {
    it('fails the task with the reason, not a fake success', async () => {
      const result = await client.sendMessage(
        send({ action: 'prepare_checkout', cartId: 'co_does_not_exist' }),
      );
      const task = result as Exclude<typeof result, Message>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED);
      const text = task.status?.message?.parts[0]?.content;
      expect(text?.$case === 'text' ? text.value : '').toMatch(/co_does_not_exist not found/);
    });
  });
});
