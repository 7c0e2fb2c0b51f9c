import {
  type CheckoutRecord,
  decisionFor,
  isAllowed,
  type ProductActionProfile,
  type ProductFacts,
  type TransitionDecision,
  toInstant,
} from '../domain/index.js';

/**
 * The checkout an agent gets when it opens one for a unit of a product in the profile's context,
 * for the surfaces list (adapters/surfaces.ts), whichever protocol's session projects it. As the
 * session routes do: a product the domain lets the agent check out is a line of a checkout ready
 * for payment; any other leaves an open checkout without it, whose answer carries the
 * prepare_checkout blockers.
 */
export function productCheckoutRecord(
  product: ProductFacts,
  profile: ProductActionProfile,
  nowMs: number,
): { checkout: CheckoutRecord; prepare: TransitionDecision | undefined; ready: boolean } {
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
  return { checkout, prepare, ready };
}
