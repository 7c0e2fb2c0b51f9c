import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentRequestOf } from '../../src/adapters/acp/complete-request.js';
import { type MandateReuse, toInstant } from '../../src/domain/index.js';
import type { TransitionResult } from '../../src/services/checkout/checkout-record.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { WebhookSubscriberStore } from '../../src/store/webhook-subscriber-store.js';
import {
  AGENT_ACTOR,
  allowanceFor,
  EU_AGENT,
  readyBackpack,
} from '../helpers/checkout-fixtures.js';
import { buyBackpack, settledCheckout } from '../helpers/checkout-flow.js';
import {
  type CheckoutHarness,
  OTHER_TENANT,
  startCheckoutHarness,
  TENANT,
} from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const codes = (result: TransitionResult) => result.decision.blockers.map((b) => b.code);

describe('checkout rules', () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await startCheckoutHarness();
  });
  afterAll(() => h.close());

  const completed = (id: string, tenant = TENANT) => settledCheckout(h, id, 'completed', tenant);

  /** A prepared cart of one backpack; returns its id. */
  async function preparedCart(tenant = TENANT): Promise<string> {
    const created = await h.service.createCheckout(tenant, { context: EU_AGENT });
    const id = created.checkout?.id as string;
    await h.service.addItem(tenant, id, { productId: 'BAG-TRAVEL-42', quantity: 1 });
    const prepared = await h.service.prepare(tenant, id, {});
    expect(prepared.outcome).toBe('applied');
    return id;
  }

  const completeBody = (id: string, amount = 12900) =>
    startPaymentRequestOf({ allowance: allowanceFor(id, amount, Date.now()), actor: AGENT_ACTOR });

  describe('concurrency', () => {
    it('charges once when the same complete is sent twice at once with one key', async () => {
      const id = await preparedCart();
      const body = completeBody(id);
      const settled = await Promise.allSettled([
        h.service.startPayment(TENANT, id, body, { idempotencyKey: 'same-key' }),
        h.service.startPayment(TENANT, id, body, { idempotencyKey: 'same-key' }),
      ]);
      const answers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const ran = answers.filter((a) => !a.replayed);
      expect(ran.map((a) => a.outcome)).toEqual(['applied']);
      // The second arrives while the first still runs (in flight) or after it (a replay).
      const second = settled.find((s) => s.status === 'rejected' || s.value.replayed);
      if (second?.status === 'rejected') {
        expect(second.reason).toMatchObject({ code: 'IDEMPOTENCY_IN_FLIGHT' });
      } else {
        expect(second?.value).toMatchObject({ outcome: 'applied', replayed: true });
      }
      await completed(id);
      expect(h.sandbox.payment.capturesByCheckout.get(id)).toBe(1);
    });

    it('charges once when the same cart is completed under two keys at once', async () => {
      const id = await preparedCart();
      const body = completeBody(id);
      const results = await Promise.all([
        h.service.startPayment(TENANT, id, body, { idempotencyKey: 'key-one' }),
        h.service.startPayment(TENANT, id, body, { idempotencyKey: 'key-two' }),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'refused']);
      const refused = results.find((r) => r.outcome === 'refused') as TransitionResult;
      expect(codes(refused)).toEqual(['ILLEGAL_TRANSITION']);
      const checkout = await completed(id);
      expect(checkout.payments).toHaveLength(1);
      expect(h.sandbox.payment.capturesByCheckout.get(id)).toBe(1);
    });

    it('refuses a stale version with CART_VERSION_CONFLICT naming both versions', async () => {
      const id = await preparedCart();
      const result = await h.service.addItem(TENANT, id, {
        productId: 'BAG-TRAVEL-42',
        quantity: 1,
        expectedVersion: 1,
      });
      expect(result.outcome).toBe('refused');
      expect(result.decision.blockers[0]).toMatchObject({
        code: 'CART_VERSION_CONFLICT',
        params: { expectedVersion: 1, currentVersion: 3 },
      });
    });
  });

  describe('signed mandates spend their one-time values with the payment', () => {
    /** What a verified AP2 mandate maps to: bound to one checkout, spending `oneTime`. */
    const signedBody = (id: string, oneTime: string[], merchant = TENANT) => {
      const body = startPaymentRequestOf({
        allowance: allowanceFor(id, 12900, Date.now(), merchant),
        actor: AGENT_ACTOR,
      });
      body.mandate = { ...body.mandate, proof: { scheme: 'ap2_sd_jwt', oneTime } };
      return body;
    };

    it('refuses a second payment on a spent nonce as replayed and charges nothing', async () => {
      const [first, second] = [await preparedCart(), await preparedCart()];
      const paid = await h.service.startPayment(TENANT, first, signedBody(first, ['n:spent-1']));
      expect(paid.outcome).toBe('applied');
      const again = await h.service.startPayment(
        TENANT,
        second,
        signedBody(second, ['n:other', 'n:spent-1']),
      );
      expect(again.outcome).toBe('refused');
      expect(codes(again)).toEqual(['MANDATE_REPLAYED']);
      expect((await h.service.get(TENANT, second))?.state).toBe('ready_for_payment');
      await completed(first);
      expect(h.sandbox.payment.capturesByCheckout.get(second)).toBeUndefined();
    });

    it('replays the stored answer to an idempotent retry instead of refusing it', async () => {
      const id = await preparedCart();
      const body = signedBody(id, ['n:retried-1']);
      const paid = await h.service.startPayment(TENANT, id, body, { idempotencyKey: 'ap2-retry' });
      const retried = await h.service.startPayment(TENANT, id, body, {
        idempotencyKey: 'ap2-retry',
      });
      expect(retried).toMatchObject({ outcome: 'applied', replayed: true });
      expect(retried.checkout).toEqual(paid.checkout);
      await completed(id);
    });

    it('lets one of two checkouts racing on the same nonce pay', async () => {
      const ids = [await preparedCart(), await preparedCart()];
      const results = await Promise.all(
        ids.map((id) => h.service.startPayment(TENANT, id, signedBody(id, ['n:raced-1']))),
      );
      expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'refused']);
      const refused = results.find((r) => r.outcome === 'refused') as TransitionResult;
      expect(codes(refused)).toEqual(['MANDATE_REPLAYED']);
    });

    /** A payment closed from one reusable mandate (its limits), spending its own nonce. */
    const reusedBody = (id: string, reuse: Omit<MandateReuse, 'amount' | 'countedUntil'>) => {
      const body = signedBody(id, [`n:${randomUUID()}`]);
      const proof = body.mandate.proof ?? { scheme: 'ap2_sd_jwt' as const };
      const countedUntil = toInstant(Date.now() + 3_600_000);
      body.mandate = {
        ...body.mandate,
        proof: { ...proof, reuse: { ...reuse, amount: 12900, countedUntil } },
      };
      return body;
    };
    const detailOf = (result: TransitionResult) => result.decision.blockers[0]?.message ?? '';

    it('refuses a payment that would take a reusable mandate past its budget', async () => {
      const id = `open-${randomUUID()}`;
      const [first, second] = [await preparedCart(), await preparedCart()];
      const paid = await h.service.startPayment(
        TENANT,
        first,
        reusedBody(first, { id, budgetMax: 20000 }),
      );
      expect(paid.outcome).toBe('applied');
      const over = await h.service.startPayment(
        TENANT,
        second,
        reusedBody(second, { id, budgetMax: 20000 }),
      );
      expect(codes(over)).toEqual(['MANDATE_SCOPE_MISMATCH']);
      expect(detailOf(over)).toContain('payment.budget');
      expect(h.sandbox.payment.capturesByCheckout.get(second)).toBeUndefined();
      // Another reusable mandate has a budget of its own.
      const other = await h.service.startPayment(
        TENANT,
        second,
        reusedBody(second, { id: `${id}-other`, budgetMax: 20000 }),
      );
      expect(other.outcome).toBe('applied');
    });

    it("refuses a payment past the recurrence's occurrences, or sooner than its frequency", async () => {
      const uses = `open-${randomUUID()}`;
      const [a, b, c, d] = [
        await preparedCart(),
        await preparedCart(),
        await preparedCart(),
        await preparedCart(),
      ];
      expect(
        (await h.service.startPayment(TENANT, a, reusedBody(a, { id: uses, maxUses: 1 }))).outcome,
      ).toBe('applied');
      const again = await h.service.startPayment(
        TENANT,
        b,
        reusedBody(b, { id: uses, maxUses: 1 }),
      );
      expect(codes(again)).toEqual(['MANDATE_SCOPE_MISMATCH']);
      expect(detailOf(again)).toContain('as many times as it allows');

      const monthly = `open-${randomUUID()}`;
      const spacing = { id: monthly, maxUses: 12, minSpacingMs: 28 * 86_400_000 };
      expect((await h.service.startPayment(TENANT, c, reusedBody(c, spacing))).outcome).toBe(
        'applied',
      );
      const soon = await h.service.startPayment(TENANT, d, reusedBody(d, spacing));
      expect(codes(soon)).toEqual(['MANDATE_SCOPE_MISMATCH']);
      expect(detailOf(soon)).toContain('this soon after the last');
    });

    it('counts a reusable mandate once per payment, however many race', async () => {
      const id = `open-${randomUUID()}`;
      const carts = await Promise.all([preparedCart(), preparedCart(), preparedCart()]);
      const results = await Promise.all(
        carts.map((cart) =>
          h.service.startPayment(TENANT, cart, reusedBody(cart, { id, budgetMax: 25800 })),
        ),
      );
      expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'applied', 'refused']);
    });

    it('keeps spent values apart per tenant', async () => {
      const mine = await preparedCart();
      const theirs = await preparedCart(OTHER_TENANT);
      const paidMine = await h.service.startPayment(TENANT, mine, signedBody(mine, ['n:t-1']));
      const paidTheirs = await h.service.startPayment(
        OTHER_TENANT,
        theirs,
        signedBody(theirs, ['n:t-1'], OTHER_TENANT),
      );
      expect([paidMine.outcome, paidTheirs.outcome]).toEqual(['applied', 'applied']);
    });
  });

  describe('domain decisions', () => {
    it('refuses add_to_cart with the domain blockers when inventory is stale', async () => {
      const catalog = new CatalogStore(h.ctx.redis, h.env.KEY_PREFIX as string, TENANT);
      const stale = readyBackpack(Date.now(), { id: 'BAG-STALE', sku: 'BAG-STALE' });
      stale.inventory = {
        status: 'in_stock',
        observedAt: '2026-01-01T00:00:00Z',
        ttlSeconds: 60,
        source: 'wms',
      };
      await catalog.putProducts([stale]);
      const created = await h.service.createCheckout(TENANT, { context: EU_AGENT });
      const result = await h.service.addItem(TENANT, created.checkout?.id as string, {
        productId: 'BAG-STALE',
        quantity: 1,
      });
      expect(result.outcome).toBe('refused');
      expect(result.decision.result).toBe('requires_revalidation');
      expect(codes(result)).toContain('INVENTORY_STALE');
    });

    it('refuses a line in another currency with CART_CURRENCY_MIXED', async () => {
      const catalog = new CatalogStore(h.ctx.redis, h.env.KEY_PREFIX as string, TENANT);
      const usd = readyBackpack(Date.now(), { id: 'BAG-USD', sku: 'BAG-USD' });
      usd.price = { ...(usd.price as NonNullable<typeof usd.price>), currency: 'USD' };
      await catalog.putProducts([usd]);
      const created = await h.service.createCheckout(TENANT, { context: EU_AGENT });
      const id = created.checkout?.id as string;
      await h.service.addItem(TENANT, id, { productId: 'BAG-TRAVEL-42', quantity: 1 });
      const result = await h.service.addItem(TENANT, id, { productId: 'BAG-USD', quantity: 1 });
      expect(codes(result)).toEqual(['CART_CURRENCY_MIXED']);
    });

    it('refuses to complete at a price that changed since prepare, with AMOUNT_MISMATCH', async () => {
      const tenant = OTHER_TENANT;
      const id = await preparedCart(tenant);
      const catalog = new CatalogStore(h.ctx.redis, h.env.KEY_PREFIX as string, tenant);
      const dearer = readyBackpack(Date.now());
      dearer.price = { ...(dearer.price as NonNullable<typeof dearer.price>), amount: 13900 };
      await catalog.putProducts([dearer]);
      const result = await h.service.startPayment(
        tenant,
        id,
        startPaymentRequestOf({
          allowance: allowanceFor(id, 20000, Date.now(), OTHER_TENANT),
          actor: AGENT_ACTOR,
        }),
      );
      expect(codes(result)).toContain('AMOUNT_MISMATCH');
      await catalog.putProducts([readyBackpack(Date.now())]);
    });

    it('runs the authority checks against the allowance', async () => {
      const id = await preparedCart();
      const result = await h.service.startPayment(
        TENANT,
        id,
        startPaymentRequestOf({
          allowance: { ...allowanceFor(id, 100, Date.now(), 'someone-else') },
          actor: AGENT_ACTOR,
        }),
      );
      expect(result.outcome).toBe('refused');
      expect(codes(result)).toEqual(
        expect.arrayContaining(['AMOUNT_EXCEEDS_LIMIT', 'MERCHANT_MISMATCH']),
      );
      expect((await h.service.get(TENANT, id))?.state).toBe('ready_for_payment');
    });
  });

  describe('payment rules', () => {
    /** A completed checkout of two backpacks, captured: 25,800 minor units. */
    async function capturedPurchase(): Promise<string> {
      const result = await buyBackpack(h.service, TENANT, { quantity: 2 });
      const id = result.checkout?.id as string;
      await completed(id);
      return id;
    }

    // The refusals leave this one as it is; the refund test takes one of its own.
    let id: string;
    beforeAll(async () => {
      id = await capturedPurchase();
    });

    it('refuses a second capture', async () => {
      const result = await h.service.paymentAction(TENANT, id, { action: 'capture' });
      expect(result.decision.blockers[0]).toMatchObject({
        code: 'PAYMENT_TRANSITION_REFUSED',
        params: { from: 'captured', event: 'capture' },
      });
      expect(h.sandbox.payment.capturesByCheckout.get(id)).toBe(1);
    });

    it('refuses to void a captured payment', async () => {
      const result = await h.service.paymentAction(TENANT, id, { action: 'void' });
      expect(codes(result)).toEqual(['PAYMENT_TRANSITION_REFUSED']);
    });

    it('refunds in parts up to the captured amount and refuses an over-refund', async () => {
      const id = await capturedPurchase();
      const over = await h.service.paymentAction(TENANT, id, { action: 'refund', amount: 25801 });
      expect(codes(over)).toEqual(['REFUND_EXCEEDS_CAPTURED']);
      const part = await h.service.paymentAction(TENANT, id, { action: 'refund', amount: 5000 });
      expect(part.outcome).toBe('applied');
      const rest = await h.service.paymentAction(TENANT, id, { action: 'refund', amount: 20800 });
      expect(rest.checkout?.payments[0]).toMatchObject({
        state: 'refunded',
        refundedAmount: 25800,
      });
      const more = await h.service.paymentAction(TENANT, id, { action: 'refund', amount: 1 });
      expect(codes(more)).toEqual(['PAYMENT_TRANSITION_REFUSED']);
      const provider = await waitFor('both refunds at the provider', async () => {
        const payment = h.sandbox.payment.payments.get(`${id}.p1`);
        return payment?.refundedAmount === 25800 ? payment : undefined;
      });
      expect(provider.status).toBe('refunded');
    });
  });

  describe('webhooks', () => {
    it("go only to the tenant's own subscribers", async () => {
      await new WebhookSubscriberStore(h.ctx.redis, h.env.KEY_PREFIX as string, OTHER_TENANT).put({
        id: 'globex-agent',
        url: `${h.webhook.url}/globex`,
        events: ['order.completed'],
      });
      const before = h.webhook.received.length;
      const mine = await buyBackpack(h.service, TENANT);
      const theirs = await buyBackpack(h.service, OTHER_TENANT);
      const ours = [mine.checkout?.id, theirs.checkout?.id];
      // Earlier tests' webhooks may still arrive meanwhile: only these two checkouts' count.
      const byPath = (path: string) =>
        h.webhook.received
          .slice(before)
          .filter((r) => r.path === path)
          .map((r) => (r.body as { data: { checkoutId: string } }).data.checkoutId)
          .filter((id) => ours.includes(id));
      await waitFor('both order webhooks', async () =>
        byPath('/hooks').length > 0 && byPath('/globex').length > 0 ? true : undefined,
      );
      expect(byPath('/hooks')).toEqual([mine.checkout?.id]);
      expect(byPath('/globex')).toEqual([theirs.checkout?.id]);
    });
  });
});
