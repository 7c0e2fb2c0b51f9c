import type { PolicyFact } from '../../src/domain/policy.js';
import { toInstant } from '../../src/domain/time.js';
import type { ProductFacts } from '../../src/domain/truth.js';

/**
 * A deterministic, seeded catalog for benchmarks: the same seed gives the same products and
 * policies on every machine, so two runs compare the evaluator and nothing else.
 */

import { seededRandom } from '../../src/providers/sandbox/seeded-random.js';

/** The same mulberry32 the sandbox providers draw faults from: one generator, seeded. */
export { seededRandom };

export interface Catalog {
  nowMs: number;
  products: ProductFacts[];
  policies: PolicyFact[];
  categories: string[];
}

export interface CatalogOptions {
  products: number;
  seed: number;
  /** @defaultValue 40 */
  categories?: number;
  /** @defaultValue 2026-06-28T09:00:00Z */
  nowMs?: number;
}

const ALL = ['*'];

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (weighted[weighted.length - 1] as readonly [T, number])[0];
}

/**
 * Products the way a mid-size merchant has them: mostly active, a price refreshed hourly and
 * stock every 15 minutes (so a good share is stale at any moment), some generated descriptions
 * awaiting review.
 */
function generateProducts(
  random: () => number,
  count: number,
  categories: readonly string[],
  nowMs: number,
): ProductFacts[] {
  const products: ProductFacts[] = [];
  for (let i = 0; i < count; i++) {
    const id = `SKU-${String(i).padStart(6, '0')}`;
    const category = categories[Math.floor(random() * categories.length)] as string;
    const product: ProductFacts = {
      id,
      sku: id,
      title: `Product ${i}`,
      category,
      status: pick(random, [
        ['active', 92],
        ['inactive', 3],
        ['draft', 3],
        ['archived', 2],
      ] as const),
      // What a listing states, from the index alone so the seeded draws below stay as they were:
      // every fifth product has no merchant description, as a catalog mid-migration does.
      url: `https://shop.example.com/p/${id}`,
      imageUrl: `https://cdn.example.com/p/${id}.jpg`,
      brand: `Brand ${i % 97}`,
    };
    if (i % 5 !== 0) product.description = `Description of product ${i}.`;
    if (random() < 0.97) {
      product.price = {
        amount: 500 + Math.floor(random() * 50_000),
        currency: 'EUR',
        observedAt: toInstant(nowMs - Math.floor(random() * 2 * 3600) * 1000),
        ttlSeconds: 3600,
        source: 'pricing',
      };
    }
    if (random() < 0.95) {
      product.inventory = {
        status: pick(random, [
          ['in_stock', 80],
          ['low_stock', 12],
          ['out_of_stock', 8],
        ] as const),
        quantity: Math.floor(random() * 200),
        observedAt: toInstant(nowMs - Math.floor(random() * 30 * 60) * 1000),
        ttlSeconds: 900,
        source: 'wms',
      };
    }
    if (random() < 0.6) {
      product.generatedClaims = {
        status: pick(random, [
          ['approved', 70],
          ['pending_review', 25],
          ['blocked', 5],
        ] as const),
      };
    }
    products.push(product);
  }
  return products;
}

function fact(
  id: string,
  body: Omit<PolicyFact, 'id' | 'source' | 'version' | 'validFrom' | 'validTo'> &
    Partial<Pick<PolicyFact, 'validFrom' | 'validTo' | 'version'>>,
): PolicyFact {
  return {
    id,
    source: 'legal',
    version: 1,
    validFrom: '2026-01-01T00:00:00Z',
    validTo: null,
    ...body,
  };
}

/**
 * Policies as a merchant keeps them: returns by category group (one group left uncovered),
 * shipping per region with an exclusion and an approval pending, one warranty, consumer-only
 * cancellation that may not be quoted, a conflict, and a few drafts, retired and windowed facts.
 */
function generatePolicies(categories: readonly string[], nowMs: number): PolicyFact[] {
  const slice = (from: number, to: number) => categories.slice(from, to);
  const n = categories.length;
  const any = { regions: ALL, buyerTypes: ALL, channels: ALL };
  const standardReturns = { days: 30, fee: { amount: 0, currency: 'EUR' } };
  return [
    fact('returns-standard', {
      domain: 'returns',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: slice(0, n - 10), ...any },
      terms: standardReturns,
    }),
    // Same terms, keys in another order: not a conflict.
    fact('returns-standard-eu', {
      domain: 'returns',
      status: 'active',
      quoteable: true,
      appliesTo: { ...any, categories: slice(0, n - 10), regions: ['EU'] },
      terms: { fee: { currency: 'EUR', amount: 0 }, days: 30 },
    }),
    fact('returns-extended', {
      domain: 'returns',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: slice(n - 10, n - 6), ...any },
      terms: { days: 60 },
    }),
    // Disagrees with returns-extended for business buyers: a conflict.
    fact('returns-extended-b2b', {
      domain: 'returns',
      status: 'active',
      quoteable: true,
      appliesTo: { ...any, categories: slice(n - 10, n - 8), buyerTypes: ['business'] },
      terms: { days: 14 },
    }),
    fact('returns-pending', {
      domain: 'returns',
      status: 'pending_approval',
      quoteable: true,
      appliesTo: { categories: slice(n - 6, n - 3), ...any },
      terms: { days: 30 },
    }),
    fact('returns-draft', {
      domain: 'returns',
      status: 'draft',
      quoteable: true,
      appliesTo: { categories: ALL, ...any },
      terms: { days: 7 },
    }),
    fact('returns-retired', {
      domain: 'returns',
      status: 'retired',
      quoteable: true,
      appliesTo: { categories: ALL, ...any },
      terms: { days: 14 },
    }),
    fact('shipping-eu', {
      domain: 'shipping',
      status: 'active',
      quoteable: true,
      appliesTo: { ...any, categories: ALL, regions: ['EU'] },
      terms: { days: '2-4', fee: { amount: 0, currency: 'EUR' } },
    }),
    fact('shipping-us', {
      domain: 'shipping',
      status: 'active',
      quoteable: true,
      appliesTo: { ...any, categories: slice(0, n - 4), regions: ['US'] },
      terms: { days: '5-8', fee: { amount: 1500, currency: 'USD' } },
    }),
    fact('shipping-no-us-hazmat', {
      domain: 'shipping',
      status: 'active',
      quoteable: true,
      appliesTo: { ...any, categories: slice(n - 4, n - 2), regions: ['EU'] },
      excludes: { regions: ['US'] },
      terms: { hazmat: true },
    }),
    fact('shipping-uk', {
      domain: 'shipping',
      status: 'pending_approval',
      quoteable: true,
      appliesTo: { ...any, categories: ALL, regions: ['UK'] },
      terms: { days: '3-5' },
    }),
    fact('shipping-eu-summer', {
      domain: 'shipping',
      status: 'active',
      quoteable: true,
      appliesTo: { ...any, categories: ALL, regions: ['EU'] },
      validFrom: toInstant(nowMs + 14 * 86_400_000),
      validTo: toInstant(nowMs + 60 * 86_400_000),
      terms: { days: '1-2', fee: { amount: 0, currency: 'EUR' } },
    }),
    fact('warranty-legal', {
      domain: 'warranty',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: ALL, ...any },
      terms: { months: 24 },
    }),
    fact('warranty-2025', {
      domain: 'warranty',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: ALL, ...any },
      validFrom: '2025-01-01T00:00:00Z',
      validTo: '2026-01-01T00:00:00Z',
      terms: { months: 12 },
    }),
    fact('cancellation-consumer', {
      domain: 'cancellation',
      status: 'active',
      quoteable: false,
      appliesTo: { ...any, categories: ALL, buyerTypes: ['consumer'] },
      terms: { hours: 24 },
    }),
  ];
}

export function generateCatalog(options: CatalogOptions): Catalog {
  const random = seededRandom(options.seed);
  const nowMs = options.nowMs ?? Date.parse('2026-06-28T09:00:00Z');
  const categories = Array.from(
    { length: options.categories ?? 40 },
    (_, i) => `category-${String(i).padStart(2, '0')}`,
  );
  return {
    nowMs,
    categories,
    products: generateProducts(random, options.products, categories, nowMs),
    policies: generatePolicies(categories, nowMs),
  };
}
