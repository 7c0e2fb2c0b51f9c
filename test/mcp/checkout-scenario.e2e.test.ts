import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProductFacts, toInstant } from '../../src/domain/index.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { type A2aHarness, travelBackpack } from '../helpers/a2a.js';
import { ACME_TOKEN, connectClient, startMcpHarness, structuredOf } from '../helpers/mcp.js';
import { CheckedTools, errorTextOf } from '../helpers/mcp-results.js';

interface StepOut {
  outcome: 'applied' | 'refused';
  decision: { action: string; result: string; blockers: { code: string; nextAction: string }[] };
  checkout: { checkoutId: string; state: string; version: number; lines: unknown[] };
  replayed: boolean;
}

const PRODUCT = 'BAG-TRAVEL-42';

/**
 * The Travel Backpack of DESIGN.md through the checkout tools: the clock stands at the
 * scenario's now, where the inventory fact is stale and no return policy covers Travel Bags.
 * Refused steps are answers that say why, never tool errors.
 */
describe('MCP checkout tools on the Travel Backpack scenario', () => {
  let harness: A2aHarness;
  let client: Client;
  let tools: CheckedTools;
  let catalog: CatalogStore;
  const scenario = travelBackpack().products[0] as ProductFacts;

  const step = async (name: string, args: Record<string, unknown>) =>
    structuredOf<StepOut>(await tools.call(name, args));
  /** The backpack with its inventory observed a minute ago (revalidated), or as in the scenario. */
  const putInventory = async (fresh: boolean) => {
    const inventory = scenario.inventory;
    if (inventory === undefined) throw new Error('the scenario has an inventory fact');
    const observedAt = fresh ? toInstant(harness.clock.nowMs() - 60_000) : inventory.observedAt;
    await catalog.putProducts([{ ...scenario, inventory: { ...inventory, observedAt } }]);
  };

  beforeAll(async () => {
    harness = await startMcpHarness();
    client = await connectClient(harness.baseUrl, ACME_TOKEN);
    tools = await CheckedTools.of(client);
    catalog = new CatalogStore(harness.ctx.redis, harness.ctx.config.KEY_PREFIX, 'acme');
  });
  afterAll(async () => {
    await client.close();
    await harness.close();
  });

  describe('add_to_cart while the inventory fact is stale', () => {
    let refused: StepOut;

    beforeAll(async () => {
      await putInventory(false);
      refused = await step('add_to_cart', {
        productId: PRODUCT,
        context: { region: 'EU' },
        idempotencyKey: 'stale-add',
      });
    });

    it('answers requires_revalidation with the blocker and its next action, as a normal result', () => {
      expect(refused).toMatchObject({
        outcome: 'refused',
        decision: { action: 'add_to_cart', result: 'requires_revalidation' },
        replayed: false,
      });
      expect(refused.decision.blockers).toEqual([
        expect.objectContaining({
          code: 'INVENTORY_STALE',
          nextAction: expect.stringMatching(/revalidate inventory/i),
        }),
      ]);
    });

    it('still opens the cart and names it, empty', () => {
      expect(refused.checkout).toMatchObject({ state: 'cart_open', version: 1, lines: [] });
    });
  });

  describe('once the inventory is revalidated', () => {
    it('adds the line when the same call without a key is sent again, but replays a keyed refusal', async () => {
      const args = { productId: PRODUCT, quantity: 2 };
      await putInventory(false);
      const before = await step('add_to_cart', args);
      const keyed = { ...args, idempotencyKey: `stale-${crypto.randomUUID()}` };
      const keyedBefore = await step('add_to_cart', keyed);
      expect(before.outcome).toBe('refused');
      expect(keyedBefore.outcome).toBe('refused');

      await putInventory(true);
      try {
        // Without a key, a refusal is not kept: the same call decides again on today's facts,
        // in the cart the first call opened (that step was applied, so it is kept).
        const after = await step('add_to_cart', args);
        expect(after).toMatchObject({ outcome: 'applied', decision: { result: 'allowed' } });
        expect(after.checkout.checkoutId).toBe(before.checkout.checkoutId);
        expect(after.checkout.lines).toEqual([expect.objectContaining({ quantity: 2 })]);
        // With a key, the refusal is the key's answer, as in the HTTP checkout API.
        const keyedAfter = await step('add_to_cart', keyed);
        expect(keyedAfter).toMatchObject({ outcome: 'refused', replayed: true });
      } finally {
        await putInventory(false);
      }
    });
  });

  describe('prepare_checkout of a cart whose line went stale', () => {
    let checkoutId: string;
    let prepared: StepOut;

    beforeAll(async () => {
      await putInventory(true);
      try {
        const added = await step('add_to_cart', {
          productId: PRODUCT,
          idempotencyKey: `fresh-${crypto.randomUUID()}`,
        });
        expect(added.outcome).toBe('applied');
        checkoutId = added.checkout.checkoutId;
      } finally {
        await putInventory(false);
      }
      prepared = await step('prepare_checkout', { checkoutId });
    });

    it('answers blocked with the missing return coverage and the stale inventory', () => {
      expect(prepared).toMatchObject({
        outcome: 'refused',
        decision: { action: 'prepare_checkout', result: 'blocked' },
      });
      const codes = prepared.decision.blockers.map((blocker) => blocker.code);
      expect(codes).toEqual(expect.arrayContaining(['RETURN_POLICY_MISSING', 'INVENTORY_STALE']));
      expect(prepared.checkout.state).toBe('cart_open');
    });

    it('refuses payment of the unprepared cart as a step its state does not take', async () => {
      const result = await tools.call('complete_checkout', {
        checkoutId,
        allowance: {
          reason: 'one_time',
          max_amount: 12_900,
          currency: 'eur',
          checkout_session_id: checkoutId,
          merchant_id: 'acme',
          expires_at: toInstant(harness.clock.nowMs() + 3_600_000),
        },
      });
      expect(errorTextOf(result)).toMatch(
        /^complete_checkout refused\. ILLEGAL_TRANSITION: .*tools it takes now: add_to_cart, remove_from_cart, prepare_checkout, cancel_checkout\./,
      );
    });
  });
});
