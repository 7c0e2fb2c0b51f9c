import type { PolicyFact, ProductFacts } from '../domain/index.js';
import { toInstant } from '../domain/index.js';

const MINUTE_MS = 60_000;
const DAY_SECONDS = 86_400;

/**
 * The demo catalog, built relative to `nowMs` so that at start-up the Travel Backpack is exactly
 * the DESIGN.md scenario: price fresh (observed 30 min ago, 1 h TTL), inventory stale (observed
 * 1 h ago, 15 min TTL), generated description pending review, returns and cancellation missing
 * for Travel Bags, shipping known for the EU only, warranty known everywhere. Around it: apparel
 * that is fully ready in the EU (every policy domain covered, fresh price and stock), one product
 * out of stock and one inactive — so an EU consumer agent sees all three readiness states
 * (test/demo/demo-catalog.test.ts).
 */
export function demoCatalog(nowMs: number): { products: ProductFacts[]; policies: PolicyFact[] } {
  const ago = (minutes: number) => toInstant(nowMs - minutes * MINUTE_MS);
  const freshPrice = (amount: number) => ({
    amount,
    currency: 'EUR' as const,
    observedAt: ago(30),
    ttlSeconds: DAY_SECONDS,
    source: 'pricing',
  });
  const freshStock = (status: 'in_stock' | 'low_stock' | 'out_of_stock', quantity: number) => ({
    status,
    quantity,
    observedAt: ago(5),
    ttlSeconds: DAY_SECONDS,
    source: 'wms',
  });
  const apparel = { category: 'apparel', categoryName: 'Apparel', brand: 'Northwind' } as const;

  const products: ProductFacts[] = [
    {
      id: 'BAG-TRAVEL-42',
      sku: 'BAG-TRAVEL-42',
      title: 'Travel Backpack',
      category: 'travel-bags',
      categoryName: 'Travel Bags',
      status: 'active',
      brand: 'Northwind',
      url: 'https://shop.example.com/p/bag-travel-42',
      imageUrl: 'https://cdn.example.com/p/bag-travel-42.jpg',
      price: {
        amount: 12900,
        currency: 'EUR',
        observedAt: ago(30),
        ttlSeconds: 3_600,
        source: 'pricing',
      },
      inventory: { status: 'in_stock', observedAt: ago(60), ttlSeconds: 900, source: 'wms' },
      generatedClaims: {
        status: 'pending_review',
        text: 'The lightest carry-on you will ever own.',
      },
    },
    {
      id: 'JACKET-RAIN-7',
      sku: 'JACKET-RAIN-7',
      title: 'Rain Jacket',
      ...apparel,
      status: 'active',
      description: 'Waterproof shell with taped seams and a packable hood.',
      url: 'https://shop.example.com/p/jacket-rain-7',
      imageUrl: 'https://cdn.example.com/p/jacket-rain-7.jpg',
      gtin: '4006381000024',
      price: freshPrice(8900),
      inventory: freshStock('in_stock', 120),
      generatedClaims: { status: 'approved', text: 'Keeps you dry in a downpour.' },
    },
    {
      id: 'TEE-CLASSIC-1',
      sku: 'TEE-CLASSIC-1',
      title: 'Classic Tee',
      ...apparel,
      status: 'active',
      description: 'Organic cotton tee with a relaxed fit.',
      url: 'https://shop.example.com/p/tee-classic-1',
      imageUrl: 'https://cdn.example.com/p/tee-classic-1.jpg',
      price: freshPrice(1900),
      inventory: freshStock('low_stock', 4),
    },
    {
      id: 'SOCKS-MERINO-3',
      sku: 'SOCKS-MERINO-3',
      title: 'Merino Hiking Socks',
      ...apparel,
      status: 'active',
      description: 'Cushioned merino wool socks for long days on the trail.',
      url: 'https://shop.example.com/p/socks-merino-3',
      imageUrl: 'https://cdn.example.com/p/socks-merino-3.jpg',
      price: freshPrice(1500),
      inventory: freshStock('in_stock', 300),
    },
    {
      id: 'BEANIE-WOOL-5',
      sku: 'BEANIE-WOOL-5',
      title: 'Wool Beanie',
      ...apparel,
      status: 'active',
      description: 'Rib-knit wool beanie with a fold-up cuff.',
      url: 'https://shop.example.com/p/beanie-wool-5',
      imageUrl: 'https://cdn.example.com/p/beanie-wool-5.jpg',
      price: freshPrice(2500),
      inventory: freshStock('out_of_stock', 0),
    },
    {
      id: 'SCARF-SILK-2',
      sku: 'SCARF-SILK-2',
      title: 'Silk Scarf',
      ...apparel,
      status: 'inactive',
      description: 'Hand-rolled silk scarf in a small paisley print.',
      url: 'https://shop.example.com/p/scarf-silk-2',
      imageUrl: 'https://cdn.example.com/p/scarf-silk-2.jpg',
      price: freshPrice(4900),
      inventory: freshStock('in_stock', 12),
    },
  ];

  const always = { validFrom: '2026-01-01T00:00:00Z', validTo: null, version: 1 } as const;
  const everywhere = { regions: ['*'], buyerTypes: ['*'], channels: ['*'] };
  const policies: PolicyFact[] = [
    {
      id: 'warranty-all',
      domain: 'warranty',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: ['*'], ...everywhere },
      terms: { months: 24 },
      source: 'legal',
      ...always,
    },
    {
      id: 'cancellation-apparel',
      domain: 'cancellation',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: ['apparel'], ...everywhere },
      terms: { until: 'dispatch', fee: { amount: 0, currency: 'EUR' } },
      source: 'legal',
      ...always,
    },
    {
      id: 'shipping-eu',
      domain: 'shipping',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: ['*'], ...everywhere, regions: ['EU'] },
      terms: { days: '2-4', fee: { amount: 0, currency: 'EUR' } },
      source: 'logistics',
      ...always,
    },
    {
      id: 'returns-apparel',
      domain: 'returns',
      status: 'active',
      quoteable: true,
      appliesTo: { categories: ['apparel'], ...everywhere },
      terms: { days: 30 },
      source: 'legal',
      ...always,
    },
  ];
  return { products, policies };
}
