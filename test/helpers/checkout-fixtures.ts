import type { CheckoutRecord, PolicyFact, ProductFacts } from '../../src/domain/index.js';
import { toInstant } from '../../src/domain/index.js';

/** The Travel Backpack with every fact fresh at `nowMs`, and the policies that cover it in the EU. */
export function readyBackpack(nowMs: number, overrides: Partial<ProductFacts> = {}): ProductFacts {
  const observedAt = toInstant(nowMs - 60_000);
  return {
    id: 'BAG-TRAVEL-42',
    sku: 'BAG-TRAVEL-42',
    title: 'Travel Backpack',
    category: 'travel-bags',
    categoryName: 'Travel Bags',
    status: 'active',
    price: { amount: 12900, currency: 'EUR', observedAt, ttlSeconds: 3600, source: 'pricing' },
    inventory: { status: 'in_stock', observedAt, ttlSeconds: 3600, source: 'wms' },
    generatedClaims: { status: 'approved' },
    ...overrides,
  };
}

export function coveringPolicies(): PolicyFact[] {
  const base = {
    status: 'active' as const,
    quoteable: true,
    validFrom: '2026-01-01T00:00:00Z',
    validTo: null,
    source: 'legal',
    version: 1,
  };
  return [
    {
      ...base,
      id: 'returns-travel',
      domain: 'returns',
      appliesTo: { categories: ['*'], regions: ['*'], buyerTypes: ['*'], channels: ['*'] },
      terms: { days: 30 },
    },
    {
      ...base,
      id: 'shipping-eu',
      domain: 'shipping',
      appliesTo: { categories: ['*'], regions: ['EU'], buyerTypes: ['*'], channels: ['*'] },
      terms: { days: '2-4' },
    },
  ];
}

export const EU_AGENT = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;

export const AGENT_ACTOR = { actorId: 'agent-7', actorType: 'agent' } as const;

/** An ACP allowance covering `amount` for the checkout, valid an hour after `nowMs`. */
export function allowanceFor(
  checkoutId: string,
  amount: number,
  nowMs: number,
  merchantId = 'acme',
) {
  return {
    reason: 'one_time' as const,
    max_amount: amount,
    currency: 'eur',
    checkout_session_id: checkoutId,
    merchant_id: merchantId,
    expires_at: toInstant(nowMs + 3_600_000),
  };
}

/**
 * A checkout record prepared for two Travel Backpacks at 12,900 EUR cents (25,800 in all), as a
 * store would hold it: what the AP2 tests and bench sign and pay.
 */
export function preparedBackpackCheckout(overrides: Partial<CheckoutRecord> = {}): CheckoutRecord {
  return {
    id: 'co_0123456789abcdef',
    tenant: 'acme',
    state: 'ready_for_payment',
    version: 3,
    context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
    lines: [
      {
        productId: 'BAG-TRAVEL-42',
        sku: 'BAG-TRAVEL-42',
        title: 'Travel Backpack',
        quantity: 2,
        unitPrice: { amount: 12900, currency: 'EUR' },
      },
    ],
    preparedTotal: { amount: 25800, currency: 'EUR' },
    cartSnapshotHash: 'snap',
    attempt: 0,
    payments: [],
    orderId: null,
    correlationId: 'corr',
    lastFailure: null,
    createdAt: '2026-12-05T11:59:00.000Z',
    updatedAt: '2026-12-05T11:59:30.000Z',
    ...overrides,
  };
}
