import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OutboxStore } from '../../src/store/outbox-store.js';
import type { A2aHarness } from '../helpers/a2a.js';
import { allowanceFor } from '../helpers/checkout-fixtures.js';
import {
  ACME_TOKEN,
  connectClient,
  OTHER_TOKEN,
  startMcpHarness,
  structuredOf,
} from '../helpers/mcp.js';
import { CheckedTools, callToolResultValidator, errorTextOf } from '../helpers/mcp-results.js';
import { specsAvailable } from '../helpers/specs.js';
import { waitFor } from '../helpers/wait-for.js';

interface Money {
  amount: number;
  currency: string;
  display: string;
}

interface CheckoutOut {
  checkoutId: string;
  state: string;
  version: number;
  merchantId: string;
  lines: { productId: string; quantity: number; unitPrice: Money; lineTotal: Money }[];
  total: Money | null;
  preparedTotal: Money | null;
  orderId: string | null;
  payments: { paymentId: string; state: string; amount: Money; capturedAmount: Money }[];
  nextActions: string[];
}

interface StepOut {
  outcome: 'applied' | 'refused';
  decision: { action: string; result: string; blockers: { code: string; nextAction: string }[] };
  checkout: CheckoutOut;
  replayed: boolean;
}

const PRODUCT = 'BAG-TRAVEL-42';
const CHECKOUT_TOOLS = [
  'create_cart',
  'add_to_cart',
  'remove_from_cart',
  'prepare_checkout',
  'sign_checkout',
  'complete_checkout',
  'cancel_checkout',
  'get_checkout',
];

/** A result without the flag that says whether it was the kept answer of an earlier call. */
function answerOf(result: CallToolResult): Omit<StepOut, 'replayed'> {
  const { replayed: _replayed, ...rest } = structuredOf<StepOut>(result);
  return rest;
}

describe('MCP checkout tools with the official SDK client, against loopback providers', () => {
  let harness: A2aHarness;
  const clients: Client[] = [];
  let acme: CheckedTools;
  let other: CheckedTools;

  const step = async (name: string, args: Record<string, unknown>) =>
    structuredOf<StepOut>(await acme.call(name, args));
  const getCheckout = async (checkoutId: string) =>
    structuredOf<{ checkout: CheckoutOut }>(await acme.call('get_checkout', { checkoutId }))
      .checkout;
  /** A cart of acme's with one backpack, prepared. */
  const preparedCart = async () => {
    const added = await step('add_to_cart', {
      productId: PRODUCT,
      idempotencyKey: crypto.randomUUID(),
    });
    return step('prepare_checkout', { checkoutId: added.checkout.checkoutId });
  };

  beforeAll(async () => {
    harness = await startMcpHarness({ catalog: 'ready' });
    for (const token of [ACME_TOKEN, OTHER_TOKEN])
      clients.push(await connectClient(harness.baseUrl, token));
    acme = await CheckedTools.of(clients[0] as Client);
    other = await CheckedTools.of(clients[1] as Client);
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await harness.close();
  });

  it('lists every checkout tool with its schemas and hints', async () => {
    const { tools } = await acme.client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of CHECKOUT_TOOLS) {
      const tool = byName.get(name);
      expect(tool?.inputSchema.type, name).toBe('object');
      expect(tool?.outputSchema?.type, name).toBe('object');
      expect(tool?.description?.length, name).toBeGreaterThan(80);
    }
    expect(byName.get('get_checkout')?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get('add_to_cart')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(byName.get('complete_checkout')?.annotations).toMatchObject({
      destructiveHint: true,
      openWorldHint: true,
    });
    expect(byName.get('complete_checkout')?.description).toMatch(/exactly one payment authority/);
    expect(byName.get('complete_checkout')?.inputSchema.required).toEqual(['checkoutId']);
    expect(Object.keys(byName.get('complete_checkout')?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['allowance', 'ap2']),
    );
  });

  describe('when an agent opens a cart, fills it, prepares it and pays, sending the payment twice at once', () => {
    let created: StepOut;
    let added: StepOut;
    let prepared: StepOut;
    let paid: CallToolResult[];
    let completed: CheckoutOut;
    let paidAgain: CallToolResult;
    let checkoutId: string;

    beforeAll(async () => {
      created = await step('create_cart', { context: { region: 'EU' } });
      checkoutId = created.checkout.checkoutId;
      added = await step('add_to_cart', { checkoutId, productId: PRODUCT, quantity: 2 });
      prepared = await step('prepare_checkout', { checkoutId });
      const pay = {
        checkoutId,
        allowance: allowanceFor(
          checkoutId,
          30_000,
          harness.clock.nowMs(),
          prepared.checkout.merchantId,
        ),
      };
      paid = await Promise.all([
        acme.call('complete_checkout', pay),
        acme.call('complete_checkout', pay),
      ]);
      const outbox = new OutboxStore(harness.ctx.redis, harness.ctx.config.KEY_PREFIX, 'acme');
      // The delivery workers complete the checkout after the last provider answered.
      completed = await waitFor('the checkout to complete and its outbox to settle', async () => {
        const checkout = await getCheckout(checkoutId);
        const counts = await outbox.countByStatus();
        return checkout.state === 'completed' && counts.pending === 0 ? checkout : undefined;
      });
      paidAgain = await acme.call('complete_checkout', pay);
    });

    it('opens an empty cart in the context asked for, at version 1', () => {
      expect(created).toMatchObject({ outcome: 'applied', replayed: false });
      expect(created.checkout).toMatchObject({
        state: 'cart_open',
        version: 1,
        lines: [],
        total: null,
        context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
      });
      expect(created.checkout.nextActions).toContain('add_to_cart');
    });

    it('adds the line at the current price, totals in minor units with their currency', () => {
      expect(added).toMatchObject({ outcome: 'applied', decision: { result: 'allowed' } });
      expect(added.checkout.lines).toEqual([
        expect.objectContaining({
          productId: PRODUCT,
          quantity: 2,
          unitPrice: { amount: 12_900, currency: 'EUR', display: '129.00 EUR' },
          lineTotal: { amount: 25_800, currency: 'EUR', display: '258.00 EUR' },
        }),
      ]);
      expect(added.checkout.total).toEqual({
        amount: 25_800,
        currency: 'EUR',
        display: '258.00 EUR',
      });
    });

    it('prepares the checkout at the re-priced total, ready for payment', () => {
      expect(prepared).toMatchObject({ outcome: 'applied' });
      expect(prepared.checkout).toMatchObject({
        state: 'ready_for_payment',
        preparedTotal: { amount: 25_800, currency: 'EUR' },
      });
      expect(prepared.checkout.nextActions).toEqual(
        expect.arrayContaining(['complete_checkout', 'cancel_checkout']),
      );
    });

    it('answers both payment calls with one answer, the second the kept one', () => {
      const [first, second] = paid.map((result) => structuredOf<StepOut>(result));
      expect(answerOf(paid[0] as CallToolResult)).toEqual(answerOf(paid[1] as CallToolResult));
      expect([first?.replayed, second?.replayed].sort()).toEqual([false, true]);
      expect(first).toMatchObject({ outcome: 'applied', checkout: { state: 'completing' } });
      expect(first?.checkout.nextActions).toContain('get_checkout');
    });

    it('completes with an order and one payment, each provider effect applied once', () => {
      expect(completed.orderId).toMatch(/^ord_/);
      expect(completed.payments).toHaveLength(1);
      expect(completed.payments[0]).toMatchObject({
        state: 'captured',
        capturedAmount: { amount: 25_800, currency: 'EUR' },
      });
      expect(completed.nextActions).toEqual([]);
      const { reservation, payment, receipt } = harness.sandbox ?? {};
      if (reservation === undefined || payment === undefined || receipt === undefined)
        throw new Error('no sandbox providers');
      // The providers serve the other tests' checkouts too: count this checkout's keys only.
      const deliveriesOf = (server: { stats: { byKey: Map<string, number> } }) =>
        [...server.stats.byKey].filter(([key]) => key.startsWith(`${checkoutId}.`));
      expect(deliveriesOf(reservation)).toHaveLength(1);
      expect(deliveriesOf(payment)).toHaveLength(2); // authorize, then capture
      expect(deliveriesOf(receipt)).toHaveLength(1);
      for (const server of [reservation, payment, receipt])
        for (const [, deliveries] of deliveriesOf(server)) expect(deliveries).toBe(1);
    });

    it('answers the payment call sent again after completion with the kept answer, paying nothing twice', async () => {
      expect(answerOf(paidAgain)).toEqual(answerOf(paid[0] as CallToolResult));
      expect(structuredOf<StepOut>(paidAgain).replayed).toBe(true);
      expect((await getCheckout(checkoutId)).payments).toHaveLength(1);
    });
  });

  describe('when the same add_to_cart without a checkoutId is sent twice at once', () => {
    it('opens one cart and adds one line', async () => {
      // The derived key covers every argument: a quantity no other test sends keeps it apart.
      const args = { productId: PRODUCT, quantity: 7 };
      const results = await Promise.all([
        acme.call('add_to_cart', args),
        acme.call('add_to_cart', args),
      ]);
      const [a, b] = results.map((result) => structuredOf<StepOut>(result));
      expect(a?.checkout.checkoutId).toBe(b?.checkout.checkoutId);
      expect(answerOf(results[0] as CallToolResult)).toEqual(
        answerOf(results[1] as CallToolResult),
      );
      const cart = await getCheckout(a?.checkout.checkoutId ?? '');
      expect(cart.version).toBe(2); // opened, then one line added
      expect(cart.lines).toEqual([expect.objectContaining({ productId: PRODUCT, quantity: 7 })]);
    });
  });

  describe('with an idempotencyKey', () => {
    it('answers the key sent again with the kept answer, and refuses it with other arguments', async () => {
      const { checkout } = await step('create_cart', { idempotencyKey: crypto.randomUUID() });
      const key = crypto.randomUUID();
      const args = { checkoutId: checkout.checkoutId, productId: PRODUCT, idempotencyKey: key };
      const first = await acme.call('add_to_cart', args);
      const again = await acme.call('add_to_cart', args);
      expect(structuredOf<StepOut>(again).replayed).toBe(true);
      expect(answerOf(again)).toEqual(answerOf(first));

      const reused = await acme.call('add_to_cart', { ...args, quantity: 3 });
      expect(errorTextOf(reused)).toMatch(/^IDEMPOTENCY_CONFLICT: idempotencyKey ".+" was used/);
      const cart = await getCheckout(checkout.checkoutId);
      expect(cart.lines).toEqual([expect.objectContaining({ quantity: 1 })]);
    });

    it('adds the same product again under a new key', async () => {
      const { checkout } = await step('create_cart', { idempotencyKey: crypto.randomUUID() });
      for (let i = 0; i < 2; i++)
        await step('add_to_cart', {
          checkoutId: checkout.checkoutId,
          productId: PRODUCT,
          idempotencyKey: crypto.randomUUID(),
        });
      expect((await getCheckout(checkout.checkoutId)).lines[0]?.quantity).toBe(2);
    });
  });

  describe('when the allowance does not cover the total', () => {
    it('answers a refused step naming the blocker, not an error, and starts no payment', async () => {
      const { checkout } = await preparedCart();
      const result = await acme.call('complete_checkout', {
        checkoutId: checkout.checkoutId,
        allowance: allowanceFor(checkout.checkoutId, 100, harness.clock.nowMs()),
      });
      expect(result.isError).toBeFalsy();
      const refused = structuredOf<StepOut>(result);
      expect(refused).toMatchObject({ outcome: 'refused', decision: { result: 'blocked' } });
      expect(refused.decision.blockers.map((b) => b.code)).toContain('AMOUNT_EXCEEDS_LIMIT');
      expect(refused.checkout.state).toBe('ready_for_payment');
      expect((await getCheckout(checkout.checkoutId)).payments).toEqual([]);
    });
  });

  describe('when a step races or the state does not take it', () => {
    it('answers a stale expectedVersion with an error naming CART_VERSION_CONFLICT', async () => {
      const { checkout } = await preparedCart();
      const result = await acme.call('prepare_checkout', {
        checkoutId: checkout.checkoutId,
        expectedVersion: checkout.version - 1,
      });
      expect(errorTextOf(result)).toMatch(/CART_VERSION_CONFLICT/);
      expect((await getCheckout(checkout.checkoutId)).version).toBe(checkout.version);
    });

    it('answers a step the state does not take with an error naming ILLEGAL_TRANSITION', async () => {
      const { checkout } = await preparedCart();
      const canceled = await step('cancel_checkout', { checkoutId: checkout.checkoutId });
      expect(canceled).toMatchObject({ outcome: 'applied', checkout: { state: 'canceled' } });
      expect(canceled.checkout.nextActions).toEqual([]);
      const result = await acme.call('add_to_cart', {
        checkoutId: checkout.checkoutId,
        productId: PRODUCT,
      });
      expect(errorTextOf(result)).toMatch(
        /^add_to_cart refused\. ILLEGAL_TRANSITION: .*tools it takes now: none\.$/,
      );
    });
  });

  describe('remove_from_cart', () => {
    it('takes the line out and reopens a prepared cart', async () => {
      const { checkout } = await preparedCart();
      const removed = await step('remove_from_cart', {
        checkoutId: checkout.checkoutId,
        productId: PRODUCT,
      });
      expect(removed).toMatchObject({ outcome: 'applied', replayed: false });
      expect(removed.checkout).toMatchObject({
        state: 'cart_open',
        lines: [],
        total: null,
        preparedTotal: null,
      });
    });
  });

  describe("when another tenant's checkout is named", () => {
    it('answers not found on every tool and leaves it as it was', async () => {
      const { checkout } = await preparedCart();
      const checkoutId = checkout.checkoutId;
      const calls: [string, Record<string, unknown>][] = [
        ['get_checkout', { checkoutId }],
        ['add_to_cart', { checkoutId, productId: PRODUCT }],
        ['remove_from_cart', { checkoutId, productId: PRODUCT }],
        ['prepare_checkout', { checkoutId }],
        [
          'complete_checkout',
          { checkoutId, allowance: allowanceFor(checkoutId, 30_000, harness.clock.nowMs()) },
        ],
        ['cancel_checkout', { checkoutId }],
      ];
      for (const [name, args] of calls)
        expect(errorTextOf(await other.call(name, args)), name).toBe(
          `NOT_FOUND: checkout ${checkoutId} not found`,
        );
      expect(await getCheckout(checkoutId)).toEqual(checkout);
    });

    it('answers not found for a checkout nobody has', async () => {
      expect(errorTextOf(await acme.call('get_checkout', { checkoutId: 'co_nobody' }))).toMatch(
        /^NOT_FOUND: checkout co_nobody not found/,
      );
    });
  });

  describe('with bad arguments', () => {
    it('names each problem by its path', async () => {
      const both = await acme.call('add_to_cart', {
        checkoutId: 'co_x',
        context: { region: 'EU' },
        productId: PRODUCT,
        quantity: 0,
      });
      expect(errorTextOf(both)).toMatch(/context: only without checkoutId/);
      expect(errorTextOf(both)).toMatch(/quantity:/);
      const version = await acme.call('add_to_cart', { productId: PRODUCT, expectedVersion: 2 });
      expect(errorTextOf(version)).toMatch(/expectedVersion: only with checkoutId/);
      const allowance = await acme.call('complete_checkout', {
        checkoutId: 'co_x',
        allowance: { ...allowanceFor('co_x', 1, harness.clock.nowMs()), currency: 'EUR' },
      });
      expect(errorTextOf(allowance)).toMatch(/allowance\.currency:/);
    });
  });

  it.skipIf(!specsAvailable)(
    'answers every checkout tool, success and error alike, with a valid CallToolResult',
    async () => {
      const validate = callToolResultValidator();
      const results: [string, CallToolResult][] = [];
      const call = async (name: string, args: Record<string, unknown>) => {
        const result = (await acme.client.callTool({ name, arguments: args })) as CallToolResult;
        results.push([name, result]);
        return result;
      };
      const opened = structuredOf<StepOut>(
        await call('create_cart', { idempotencyKey: crypto.randomUUID() }),
      );
      const checkoutId = opened.checkout.checkoutId;
      await call('add_to_cart', { checkoutId, productId: PRODUCT, quantity: 3 });
      await call('remove_from_cart', { checkoutId, productId: PRODUCT });
      await call('add_to_cart', { checkoutId, productId: PRODUCT, quantity: 4 });
      await call('prepare_checkout', { checkoutId });
      await call('complete_checkout', {
        checkoutId,
        allowance: allowanceFor(checkoutId, 1, harness.clock.nowMs()),
      });
      await call('get_checkout', { checkoutId });
      await call('cancel_checkout', { checkoutId });
      await call('prepare_checkout', { checkoutId, idempotencyKey: crypto.randomUUID() });
      await call('get_checkout', { checkoutId: 'co_nobody' });
      await call('add_to_cart', { productId: '' });
      expect(results.filter(([, result]) => result.isError === true).length).toBeGreaterThan(2);
      for (const [name, result] of results) expect(validate(result), name).toBe(true);
    },
  );
});
