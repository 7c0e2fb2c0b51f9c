import type { ProductActionProfile, ProductFacts } from '../../domain/index.js';
import { productCheckoutRecord } from '../product-checkout-record.js';
import { blockersOf, projectSession } from './session-projection.js';

/**
 * What an ACP checkout session says of one product, for the surfaces list (adapters/surfaces.ts):
 * the session of `productCheckoutRecord`, projected by the same `projectSession` that serves the
 * routes.
 */
export function productSession(
  product: ProductFacts,
  profile: ProductActionProfile,
  nowMs: number,
): unknown {
  const { checkout, prepare, ready } = productCheckoutRecord(product, profile, nowMs);
  return projectSession({
    checkout,
    blockers: prepare === undefined || ready ? [] : blockersOf(prepare, product.id),
    permalinkOf: (orderId) => `https://example.invalid/orders/${orderId}`,
  });
}
