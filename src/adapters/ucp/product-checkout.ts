import type { ProductActionProfile, ProductFacts } from '../../domain/index.js';
import { blockersOf } from '../../services/checkout/checkout-session-steps.js';
import { productCheckoutRecord } from '../product-checkout-record.js';
import { projectUcpCheckout } from './checkout-projection.js';
import { paymentHandlersOf } from './payment-handler.js';
import { UCP_VERSION } from './version.js';

/**
 * What a UCP checkout says of one product, for the surfaces list (adapters/surfaces.ts): the
 * checkout of `productCheckoutRecord`, projected by the same `projectUcpCheckout` that serves
 * the routes, with the checkout capability negotiated.
 */
export function productUcpCheckout(
  product: ProductFacts,
  profile: ProductActionProfile,
  nowMs: number,
): unknown {
  const { checkout, prepare, ready } = productCheckoutRecord(product, profile, nowMs);
  return projectUcpCheckout({
    checkout,
    blockers: prepare === undefined || ready ? [] : blockersOf(prepare, product.id),
    ucp: {
      version: UCP_VERSION,
      capabilities: { 'dev.ucp.shopping.checkout': [{ version: UCP_VERSION }] },
      payment_handlers: paymentHandlersOf('https://example.invalid'),
    },
    continueUrl: `https://example.invalid/checkout-sessions/${checkout.id}`,
    permalinkOf: (orderId) => `https://example.invalid/orders/${orderId}`,
    fallbackCurrency: product.price?.currency ?? 'EUR',
  });
}
