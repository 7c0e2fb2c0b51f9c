import { describe, expect, it } from 'vitest';
import {
  type CheckoutFacts,
  type CheckoutIds,
  type CheckoutRecord,
  type CheckoutStep,
  DEFAULT_EVALUATION_OPTIONS,
  decideAddItem,
  decideCancel,
  decideOpen,
  decidePrepare,
  decideRemoveItem,
  decideStartPayment,
  type Mandate,
  PolicyIndex,
  type ProductFacts,
  toInstant,
} from '../../src/domain/index.js';
import {
  AGENT_ACTOR,
  coveringPolicies,
  EU_AGENT,
  readyBackpack,
} from '../helpers/checkout-fixtures.js';

/**
 * The checkout transitions as the domain decides them: pure functions of the checkout, the
 * current facts, the authority input and `now`, with ids from an injected generator. No Redis.
 */

const NOW = Date.parse('2026-06-01T12:00:00Z');

/** Deterministic ids, so a test can say which id the domain handed out. */
const IDS: CheckoutIds = {
  checkoutId: () => 'co_test',
  correlationId: () => 'corr-test',
  paymentId: (checkoutId, attempt) => `pay-${checkoutId}-${attempt}`,
  reservationId: (checkoutId, attempt) => `res-${checkoutId}-${attempt}`,
  orderId: (checkoutId) => `order-${checkoutId}`,
};

function factsOf(products: ProductFacts[], merchantId = 'acme'): CheckoutFacts {
  return {
    products: new Map(products.map((p) => [p.id, p])),
    policies: new PolicyIndex(coveringPolicies()),
    options: DEFAULT_EVALUATION_OPTIONS,
    merchantId,
  };
}

const BACKPACK = readyBackpack(NOW);
const USD_BAG = readyBackpack(NOW, {
  id: 'BAG-USD',
  sku: 'BAG-USD',
  price: {
    amount: 5000,
    currency: 'USD',
    observedAt: toInstant(NOW),
    ttlSeconds: 3600,
    source: 'p',
  },
});
const NO_PRICE = readyBackpack(NOW, { id: 'BAG-NOPRICE', sku: 'BAG-NOPRICE', price: undefined });

function opened(): CheckoutRecord {
  const step = decideOpen({ tenant: 't1', context: EU_AGENT }, IDS, NOW);
  if (step.kind !== 'apply') throw new Error('open refused');
  return step.next;
}

const line = (quantity = 1, amount = 12900) => ({
  productId: 'BAG-TRAVEL-42',
  sku: 'BAG-TRAVEL-42',
  title: 'Travel Backpack',
  quantity,
  unitPrice: { amount, currency: 'EUR' as const },
});

function withLines(lines = [line()], extra: Partial<CheckoutRecord> = {}): CheckoutRecord {
  return { ...opened(), lines, ...extra };
}

function prepared(amount = 12900): CheckoutRecord {
  return withLines([line(1, amount)], {
    state: 'ready_for_payment',
    preparedTotal: { amount, currency: 'EUR' },
  });
}

function mandateFor(checkoutId: string, overrides: Partial<Mandate> = {}): Mandate {
  return {
    ref: 'acp_allowance:co_test:2026-06-01T13:00:00.000Z',
    kind: 'acp_allowance',
    merchantId: 'acme',
    checkoutSessionId: checkoutId,
    maxAmount: { amount: 50_000, currency: 'EUR' },
    expiresAt: toInstant(NOW + 3_600_000),
    ...overrides,
  };
}

const codes = (step: CheckoutStep) => step.decision.blockers.map((b) => b.code);

describe('decideOpen', () => {
  it('opens an empty cart with the ids the generator hands out', () => {
    const checkout = opened();
    expect(checkout).toMatchObject({
      id: 'co_test',
      correlationId: 'corr-test',
      state: 'cart_open',
      lines: [],
      createdAt: toInstant(NOW),
    });
  });

  it('keeps the caller’s correlation id over a generated one', () => {
    const step = decideOpen({ tenant: 't1', context: EU_AGENT, correlationId: 'mine' }, IDS, NOW);
    expect(step.kind === 'apply' && step.next.correlationId).toBe('mine');
  });
});

describe('decideAddItem', () => {
  const cases: {
    name: string;
    cart: CheckoutRecord;
    productId: string;
    products: ProductFacts[];
    kind: CheckoutStep['kind'];
    codes: string[];
    quantity?: number;
  }[] = [
    {
      name: 'adds a line the domain allows, at its current price',
      cart: opened(),
      productId: 'BAG-TRAVEL-42',
      products: [BACKPACK],
      kind: 'apply',
      codes: [],
      quantity: 2,
    },
    {
      name: 'adds to the quantity of a line already there',
      cart: withLines([line(3)]),
      productId: 'BAG-TRAVEL-42',
      products: [BACKPACK],
      kind: 'apply',
      codes: [],
      quantity: 5,
    },
    {
      name: 'refuses an unknown product with PRODUCT_UNKNOWN',
      cart: opened(),
      productId: 'NOPE',
      products: [],
      kind: 'refuse',
      codes: ['PRODUCT_UNKNOWN'],
    },
    {
      name: 'refuses a product priced in another currency with CART_CURRENCY_MIXED',
      cart: withLines(),
      productId: 'BAG-USD',
      products: [BACKPACK, USD_BAG],
      kind: 'refuse',
      codes: ['CART_CURRENCY_MIXED'],
    },
    {
      name: 'refuses a product without a price',
      cart: opened(),
      productId: 'BAG-NOPRICE',
      products: [NO_PRICE],
      kind: 'refuse',
      codes: ['PRICE_MISSING'],
    },
  ];

  it.each(cases)('$name', ({ cart, productId, products, kind, codes: expected, quantity }) => {
    const step = decideAddItem(cart, { productId, quantity: 2 }, factsOf(products), NOW);
    expect(step.kind).toBe(kind);
    expect(codes(step)).toEqual(expected);
    if (step.kind === 'apply') {
      expect(step.next.state).toBe('cart_open');
      expect(step.next.lines.find((l) => l.productId === productId)?.quantity).toBe(quantity);
      expect(step.effects).toBeUndefined();
    }
  });

  it('reopens a prepared cart: the prepared total no longer holds', () => {
    const step = decideAddItem(
      prepared(),
      { productId: 'BAG-TRAVEL-42', quantity: 1 },
      factsOf([BACKPACK]),
      NOW,
    );
    expect(step.kind === 'apply' && step.next).toMatchObject({
      state: 'cart_open',
      preparedTotal: null,
      cartSnapshotHash: null,
    });
  });
});

describe('decideRemoveItem', () => {
  it('drops the line and reopens the cart', () => {
    const step = decideRemoveItem(prepared(), { productId: 'BAG-TRAVEL-42' }, NOW);
    expect(step.kind === 'apply' && step.next).toMatchObject({ state: 'cart_open', lines: [] });
  });
});

describe('decidePrepare', () => {
  const cases = [
    {
      name: 'refuses an empty cart with CART_EMPTY',
      cart: opened(),
      products: [BACKPACK],
      kind: 'refuse',
      codes: ['CART_EMPTY'],
    },
    {
      name: 'refuses a cart whose product is no longer known, with its line blockers',
      cart: withLines(),
      products: [],
      kind: 'refuse',
      codes: ['PRODUCT_UNKNOWN'],
    },
    {
      name: 'prepares a cart at the price current now',
      cart: withLines([line(2, 9900)]),
      products: [BACKPACK],
      kind: 'apply',
      codes: [],
    },
  ] as const;

  it.each(cases)('$name', ({ cart, products, kind, codes: expected }) => {
    const step = decidePrepare(cart, factsOf([...products]), NOW);
    expect(step.kind).toBe(kind);
    expect(codes(step)).toEqual(expected);
    if (step.kind === 'apply') {
      expect(step.next).toMatchObject({
        state: 'ready_for_payment',
        preparedTotal: { amount: 25800, currency: 'EUR' },
        lines: [{ unitPrice: { amount: 12900, currency: 'EUR' } }],
      });
      expect(step.next.cartSnapshotHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('decideStartPayment', () => {
  const input = (checkoutId: string, overrides: Partial<Mandate> = {}) => ({
    mandate: mandateFor(checkoutId, overrides),
    actor: AGENT_ACTOR,
  });

  describe('when the cart, its price and the mandate all hold', () => {
    const checkout = prepared();
    const step = decideStartPayment(checkout, input(checkout.id), factsOf([BACKPACK]), IDS, NOW);

    it('opens payment attempt 1 with the ids the generator hands out', () => {
      expect(step.kind).toBe('apply');
      if (step.kind !== 'apply') return;
      expect(step.next).toMatchObject({ state: 'completing', attempt: 1, lastFailure: null });
      expect(step.next.payments).toEqual([
        {
          paymentId: 'pay-co_test-1',
          reservationId: 'res-co_test-1',
          attempt: 1,
          state: 'pending',
          amount: { amount: 12900, currency: 'EUR' },
          capturedAmount: 0,
          refundedAmount: 0,
          refunds: 0,
          allowanceRef: 'acp_allowance:co_test:2026-06-01T13:00:00.000Z',
        },
      ]);
      expect(step.paymentId).toBe('pay-co_test-1');
    });

    it('hands the outbox a reservation first', () => {
      expect(step.kind === 'apply' && step.effects?.kinds).toEqual(['reserve']);
    });

    it('names the mandate in the decision’s evidence', () => {
      expect(step.decision.evidenceRefs).toContainEqual({
        type: 'authority_record',
        id: 'acp_allowance:co_test:2026-06-01T13:00:00.000Z',
      });
    });
  });

  const refusals: {
    name: string;
    checkout: CheckoutRecord;
    products: ProductFacts[];
    mandate?: Partial<Mandate>;
    codes: string[];
    params?: Record<string, string>;
  }[] = [
    {
      name: 'blocks with AMOUNT_MISMATCH when the price moved since prepare',
      checkout: prepared(9900),
      products: [BACKPACK],
      codes: ['AMOUNT_MISMATCH'],
      params: { current: '129.00 EUR', prepared: '99.00 EUR' },
    },
    {
      name: 'blocks with AMOUNT_MISMATCH when the cart was never prepared at a total',
      checkout: withLines([line()], { state: 'ready_for_payment' }),
      products: [BACKPACK],
      codes: ['AMOUNT_MISMATCH'],
      params: { current: '129.00 EUR', prepared: 'not prepared' },
    },
    {
      name: 'blocks with the authority checks the mandate fails',
      checkout: prepared(),
      products: [BACKPACK],
      mandate: { merchantId: 'someone-else', maxAmount: { amount: 100, currency: 'EUR' } },
      codes: ['MERCHANT_MISMATCH', 'AMOUNT_EXCEEDS_LIMIT'],
    },
    {
      name: 'refuses with CART_CURRENCY_MIXED when a line is re-priced into another currency',
      checkout: withLines(
        [line(), { ...line(1, 5000), productId: 'BAG-USD', sku: 'BAG-USD', title: 'Bag' }],
        { state: 'ready_for_payment', preparedTotal: { amount: 17900, currency: 'EUR' } },
      ),
      products: [BACKPACK, USD_BAG],
      codes: ['CART_CURRENCY_MIXED'],
    },
  ];

  it.each(refusals)('$name', ({ checkout, products, mandate, codes: expected, params }) => {
    const step = decideStartPayment(
      checkout,
      input(checkout.id, mandate),
      factsOf(products),
      IDS,
      NOW,
    );
    expect(step.kind).toBe('refuse');
    expect(step.decision.result).toBe('blocked');
    expect(codes(step)).toEqual(expect.arrayContaining(expected));
    if (params !== undefined) {
      expect(step.decision.blockers.find((b) => b.code === expected[0])?.params).toEqual(params);
    }
  });
});

describe('decideCancel', () => {
  it('cancels without effects: effects in flight undo themselves when they land', () => {
    const step = decideCancel(prepared(), NOW);
    expect(step.kind === 'apply' && step.next.state).toBe('canceled');
    expect(step.kind === 'apply' && step.effects).toBeUndefined();
  });
});
