import {
  type CheckoutRecord,
  decisionFor,
  isAllowed,
  type ProductActionProfile,
  type ProductFacts,
  toInstant,
} from '../../domain/index.js';
import { blockersOf, projectSession } from './session-projection.js';

/**
 * What an ACP checkout session says of one product, for the surfaces list (adapters/surfaces.ts):
 * the session an agent gets when it opens one for a unit of the product in the profile's
 * context. As the session routes do, a product the domain lets the agent check out is a line of
 * a session ready for payment; any other is a session not ready whose messages are the
 * prepare_checkout blockers. Projected by the same `projectSession` that serves the routes.
 */
export function productSession(
  product: ProductFacts,
  profile: ProductActionProfile,
  nowMs: number,
): unknown {
  const prepare = decisionFor(profile, 'prepare_checkout');
  const ready = prepare !== undefined && isAllowed(prepare);
  const at = toInstant(nowMs);
  const checkout: CheckoutRecord = {
    id: `cs_${profile.productId}`,
    tenant: 'surface',
    state: ready ? 'ready_for_payment' : 'cart_open',
    version: 1,
    context: profile.context,
    lines:
      ready && product.price !== undefined
        ? [
            {
              productId: product.id,
              sku: product.sku ?? product.id,
              title: product.title,
              quantity: 1,
              unitPrice: { amount: product.price.amount, currency: product.price.currency },
            },
          ]
        : [],
    preparedTotal: null,
    cartSnapshotHash: null,
    attempt: 0,
    payments: [],
    orderId: null,
    correlationId: `surface-${profile.productId}`,
    lastFailure: null,
    createdAt: at,
    updatedAt: at,
  };
  return projectSession({
    checkout,
    blockers: prepare === undefined || ready ? [] : blockersOf(prepare, product.id),
    permalinkOf: (orderId) => `https://example.invalid/orders/${orderId}`,
  });
}
