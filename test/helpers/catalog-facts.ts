import type { PolicyFact, ProductFacts } from '../../src/domain/index.js';
import { toInstant } from '../../src/domain/index.js';

/** Returns and shipping for apparel everywhere: with fresh facts an apparel product is ready. */
export function coveringPolicies(): PolicyFact[] {
  const base = {
    status: 'active' as const,
    quoteable: true,
    appliesTo: { categories: ['apparel'], regions: ['*'], buyerTypes: ['*'], channels: ['*'] },
    validFrom: '2020-01-01T00:00:00Z',
    validTo: null,
    source: 'legal',
    version: 1,
  };
  return [
    { ...base, id: 'returns-apparel', domain: 'returns', terms: { days: 30 } },
    { ...base, id: 'shipping-apparel', domain: 'shipping', terms: { days: '2-4' } },
  ];
}

/** What every product here shares: active apparel, priced by `pricing` (an hour's TTL). */
function pricedApparel(id: string, priceObservedAt: string, priceAmount = 1000) {
  return {
    id,
    title: `Product ${id}`,
    category: 'apparel',
    status: 'active' as const,
    price: {
      amount: priceAmount,
      currency: 'EUR' as const,
      observedAt: priceObservedAt,
      ttlSeconds: 3_600,
      source: 'pricing',
    },
  };
}

/** An active apparel product with fresh price and stock as of `nowMs`. */
export function readyProduct(
  id: string,
  nowMs: number,
  overrides: { inventoryTtlSeconds?: number; priceAmount?: number; observedAtMs?: number } = {},
): ProductFacts {
  const observedAt = toInstant(overrides.observedAtMs ?? nowMs);
  return {
    ...pricedApparel(id, observedAt, overrides.priceAmount),
    inventory: {
      status: 'in_stock',
      observedAt,
      ttlSeconds: overrides.inventoryTtlSeconds ?? 3_600,
      source: 'wms',
    },
  };
}

/** `readyProduct` with every fact a catalog listing (openai-flat) states. */
export function listedProduct(id: string, nowMs: number): ProductFacts {
  return {
    ...readyProduct(id, nowMs),
    description: `The ${id}.`,
    url: `https://shop.example.com/p/${id}`,
    imageUrl: `https://cdn.example.com/p/${id}.jpg`,
    brand: 'Northwind',
  };
}

/** A product as a client sends it over HTTP (price only, fixed observation time), plus `extra`. */
export function productDocument(id: string, extra: Record<string, unknown> = {}) {
  return { ...pricedApparel(id, '2026-06-28T08:30:00Z'), ...extra };
}

/** An active apparel returns policy as a client sends it over HTTP, plus `extra`. */
export function policyDocument(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    domain: 'returns',
    status: 'active',
    quoteable: true,
    appliesTo: { categories: ['apparel'], regions: ['*'], buyerTypes: ['*'], channels: ['*'] },
    validFrom: '2026-01-01T00:00:00Z',
    validTo: null,
    terms: { days: 30 },
    source: 'legal',
    ...extra,
  };
}
