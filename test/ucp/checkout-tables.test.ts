import { describe, expect, it } from 'vitest';
import { decodeUcpCheckout } from '../../src/adapters/ucp/checkout-decoder.js';
import {
  UCP_BLOCKER_MESSAGES,
  ucpMessageOfBlocker,
  ucpMessagesOfBlockers,
} from '../../src/adapters/ucp/checkout-messages.js';
import { projectUcpCheckout } from '../../src/adapters/ucp/checkout-projection.js';
import { checkoutContextOf, lineQuantitiesOf } from '../../src/adapters/ucp/checkout-request.js';
import { UCP_CHECKOUT_STATUS, ucpStatusOf } from '../../src/adapters/ucp/checkout-status.js';
import { orderCheckout, projectUcpOrder } from '../../src/adapters/ucp/order-projection.js';
import { delegatedTokenOf } from '../../src/adapters/ucp/payment-handler.js';
import {
  BLOCKERS,
  type BlockerCode,
  blocker,
  CHECKOUT_STATES,
  type CheckoutRecord,
} from '../../src/domain/index.js';
import { CHECKOUT_IDS, checkoutIdOfOrder } from '../../src/services/checkout/checkout-ids.js';
import { specsAvailable } from '../helpers/specs.js';
import { expectUcp, ucpValidator } from '../helpers/ucp-schemas.js';

const CODES = Object.keys(BLOCKERS) as BlockerCode[];
const EU_AGENT = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
const BLOCK = {
  version: '2026-04-08',
  capabilities: { 'dev.ucp.shopping.checkout': [{ version: '2026-04-08' }] },
  payment_handlers: {},
};

function record(overrides: Partial<CheckoutRecord> = {}): CheckoutRecord {
  return {
    id: 'co_abc',
    tenant: 't',
    state: 'cart_open',
    version: 1,
    context: EU_AGENT,
    lines: [],
    preparedTotal: null,
    cartSnapshotHash: null,
    attempt: 0,
    payments: [],
    orderId: null,
    correlationId: 'c',
    lastFailure: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    ...overrides,
  };
}

const line = (
  productId: string,
  amount: number,
  currency: 'EUR' | 'JPY' | 'KWD',
  quantity = 1,
) => ({
  productId,
  sku: productId,
  title: `Product ${productId}`,
  quantity,
  unitPrice: { amount, currency },
});

function project(
  checkout: CheckoutRecord,
  blockers: { blocker: ReturnType<typeof blocker>; productId?: string }[] = [],
) {
  return projectUcpCheckout({
    checkout,
    blockers,
    ucp: BLOCK,
    continueUrl: 'https://shop.example/checkout-sessions/co_abc',
    permalinkOf: (orderId) => `https://shop.example/orders/${orderId}`,
    fallbackCurrency: 'EUR',
  });
}

describe('UCP_BLOCKER_MESSAGES', () => {
  it('has a row for every blocker code of the domain, and no other', () => {
    expect(Object.keys(UCP_BLOCKER_MESSAGES).sort()).toEqual([...CODES].sort());
  });

  it.skipIf(!specsAvailable).each(CODES)('projects %s as a valid message', (code) => {
    const message = ucpMessageOfBlocker(
      { blocker: blocker(code, { productId: 'P-1' }), productId: 'P-1' },
      () => 0,
    );
    const validate = ucpValidator('shopping/types/message.json');
    expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
  });

  it('points a product blocker at its line and names a product that is no line in the text', () => {
    const missing = blocker('RETURN_POLICY_MISSING', { category: 'Travel Bags', region: 'EU' });
    expect(ucpMessageOfBlocker({ blocker: missing, productId: 'P-1' }, () => 2)).toMatchObject({
      code: 'item_unavailable',
      severity: 'recoverable',
      path: '$.line_items[2]',
    });
    const orphan = ucpMessageOfBlocker({ blocker: missing, productId: 'P-1' }, () => undefined);
    expect(orphan.path).toBeUndefined();
    expect(orphan.content.startsWith('P-1: ')).toBe(true);
  });

  it('says each blocker once per product', () => {
    const stale = blocker('INVENTORY_STALE', { expiredAt: 'x' });
    const messages = ucpMessagesOfBlockers(
      [
        { blocker: stale, productId: 'A' },
        { blocker: stale, productId: 'A' },
        { blocker: stale, productId: 'B' },
      ],
      () => undefined,
    );
    expect(messages).toHaveLength(2);
  });
});

describe('the UCP checkout status', () => {
  it('names every checkout state', () => {
    expect(Object.keys(UCP_CHECKOUT_STATUS).sort()).toEqual([...CHECKOUT_STATES].sort());
  });

  it.each([
    ['cart_open', [], 'incomplete'],
    ['cart_open', ['recoverable'], 'incomplete'],
    ['cart_open', ['requires_buyer_input'], 'requires_escalation'],
    ['ready_for_payment', [], 'ready_for_complete'],
    ['ready_for_payment', ['requires_buyer_review'], 'requires_escalation'],
    ['completing', ['requires_buyer_review'], 'complete_in_progress'],
    ['capture_delayed', [], 'complete_in_progress'],
    ['completed', [], 'completed'],
    ['canceled', [], 'canceled'],
    ['expired', [], 'canceled'],
  ] as const)('%s with %j errors is %s', (state, severities, status) => {
    expect(
      ucpStatusOf(
        state,
        severities.map((severity) => ({ severity })),
      ),
    ).toBe(status);
  });
});

describe('projectUcpCheckout', () => {
  it.each([
    ['EUR', 12_900, 2],
    ['JPY', 15_000, 3],
    ['KWD', 12_345, 1],
  ] as const)(
    'keeps %s amounts in minor units, with one subtotal and one total',
    (currency, amount, quantity) => {
      const wire = project(
        record({ state: 'ready_for_payment', lines: [line('P-1', amount, currency, quantity)] }),
      );
      expectUcp('checkout', wire);
      expect(wire.currency).toBe(currency);
      expect(wire.line_items[0]?.item.price).toBe(amount);
      expect(wire.totals.filter((t) => t.type === 'subtotal')).toEqual([
        { type: 'subtotal', display_text: 'Subtotal', amount: amount * quantity },
      ]);
      expect(wire.totals.filter((t) => t.type === 'total')).toHaveLength(1);
      expect(wire.status).toBe('ready_for_complete');
      expect(wire.continue_url).toBe('https://shop.example/checkout-sessions/co_abc');
    },
  );

  it('is incomplete with a message per blocker when the domain blocks', () => {
    const wire = project(record(), [
      {
        blocker: blocker('RETURN_POLICY_MISSING', { category: 'Travel Bags', region: 'EU' }),
        productId: 'BAG',
      },
    ]);
    expectUcp('checkout', wire);
    expect(wire.status).toBe('incomplete');
    expect(wire.messages).toHaveLength(1);
    expect(wire.messages?.[0]?.content).toMatch(/^BAG: /);
  });

  it('escalates with a continue_url when only the buyer can go on', () => {
    const wire = project(record({ state: 'ready_for_payment', lines: [line('P-1', 100, 'EUR')] }), [
      { blocker: blocker('HUMAN_CONFIRMATION_REQUIRED') },
    ]);
    expectUcp('checkout', wire);
    expect(wire.status).toBe('requires_escalation');
    expect(wire.continue_url).toBeDefined();
  });

  it('carries the order once completed, and no continue_url', () => {
    const checkout = record({
      state: 'completed',
      lines: [line('P-1', 100, 'EUR')],
      orderId: 'ord_abc',
    });
    const wire = project(checkout);
    expectUcp('checkout', wire);
    expect(wire.order).toEqual({
      id: 'ord_abc',
      permalink_url: 'https://shop.example/orders/ord_abc',
    });
    expect(wire.continue_url).toBeUndefined();
    expect(decodeUcpCheckout(wire).claims).toEqual([
      { action: 'prepare_checkout', result: 'not_allowed' },
    ]);
  });

  it('decodes a ready checkout without errors as prepare_checkout allowed', () => {
    const wire = project(record({ state: 'ready_for_payment', lines: [line('P-1', 100, 'EUR')] }));
    expect(decodeUcpCheckout(JSON.parse(JSON.stringify(wire))).claims).toEqual([
      { action: 'prepare_checkout', result: 'allowed' },
    ]);
  });
});

describe('the UCP order', () => {
  it('is the completed checkout, valid against order.json', () => {
    const checkout = record({
      state: 'completed',
      lines: [line('P-1', 500, 'JPY', 2)],
      orderId: 'ord_abc',
    });
    const found = orderCheckout(checkout, 'ord_abc');
    expect(found).toBeDefined();
    if (found === undefined) return;
    const wire = projectUcpOrder({
      checkout: found,
      ucp: {
        version: '2026-04-08',
        capabilities: { 'dev.ucp.shopping.order': [{ version: '2026-04-08' }] },
      },
      permalinkUrl: 'https://shop.example/orders/ord_abc',
    });
    expectUcp('order', wire);
    expect(wire.totals.find((t) => t.type === 'total')?.amount).toBe(1_000);
    expect(wire.line_items[0]?.quantity).toEqual({ original: 2, total: 2, fulfilled: 0 });
  });

  it('is no order before completion or under another id', () => {
    expect(
      orderCheckout(record({ state: 'ready_for_payment', orderId: null }), 'ord_abc'),
    ).toBeUndefined();
    expect(
      orderCheckout(record({ state: 'completed', orderId: 'ord_x' }), 'ord_abc'),
    ).toBeUndefined();
    expect(orderCheckout(undefined, 'ord_abc')).toBeUndefined();
  });

  it('finds the checkout an order id was derived from', () => {
    const checkoutId = CHECKOUT_IDS.checkoutId();
    expect(checkoutIdOfOrder(CHECKOUT_IDS.orderId(checkoutId))).toBe(checkoutId);
    expect(checkoutIdOfOrder('co_123')).toBeUndefined();
    expect(checkoutIdOfOrder('ord_')).toBeUndefined();
  });
});

describe('the request mapping', () => {
  it('decides in the region of the context country, else the default', () => {
    expect(checkoutContextOf({ address_country: 'de' }, { ...EU_AGENT, region: 'US' }).region).toBe(
      'EU',
    );
    expect(checkoutContextOf(undefined, EU_AGENT)).toEqual(EU_AGENT);
  });

  it('sums a product sent on two lines', () => {
    expect(
      lineQuantitiesOf([
        { item: { id: 'A' }, quantity: 2 },
        { item: { id: 'A' }, quantity: 1 },
        { item: { id: 'B' }, quantity: 1 },
      ]),
    ).toEqual(
      new Map([
        ['A', 3],
        ['B', 1],
      ]),
    );
  });

  it.each([
    [
      [
        {
          id: 'i',
          handler_id: 'delegated_payment',
          type: 'card',
          credential: { type: 'delegated_payment_token', token: 'vt_1' },
        },
      ],
      { token: 'vt_1' },
    ],
    [
      [{ id: 'i', handler_id: 'gpay', type: 'card', credential: { type: 'x', token: 't' } }],
      'not offered',
    ],
    [[{ id: 'i', handler_id: 'delegated_payment', type: 'card' }], 'credential'],
    [
      [
        { id: 'a', handler_id: 'delegated_payment', type: 'card' },
        { id: 'b', handler_id: 'delegated_payment', type: 'card' },
      ],
      'selected',
    ],
  ])("picks the selected instrument's token (%#)", (instruments, expected) => {
    const chosen = delegatedTokenOf(instruments);
    if (typeof expected === 'string')
      expect('problem' in chosen && chosen.problem).toMatch(expected);
    else expect(chosen).toEqual(expected);
  });
});
