import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { orderCheckout, projectUcpOrder } from '../../adapters/ucp/order-projection.js';
import type { CheckoutRecord } from '../../domain/index.js';
import { checkoutIdOfOrder } from '../../services/checkout/checkout-ids.js';
import type { App } from '../types.js';
import { noResource, type UcpBlockOf } from './ucp-answers.js';
import { ucpCallerOf } from './ucp-request.js';

export interface UcpOrderRouteDeps {
  /** The caller's tenant's checkout, or undefined. */
  loadCheckout(tenant: string, id: string): Promise<CheckoutRecord | undefined>;
  blockOf: UcpBlockOf;
  orderUrlOf(request: FastifyRequest, orderId: string): string;
}

const OrderParamsSchema = z.strictObject({ id: z.string().min(1).max(200) });

/**
 * `GET /orders/{id}` (rest.openapi.json 2026-04-08): the order a completed checkout placed, read
 * from that checkout. Any other id — unknown, not yet completed, another tenant's — is the
 * spec's `not_found` business outcome (order-rest.md, "Not Found": HTTP 200).
 */
export async function ucpOrderRoutes(app: App, deps: UcpOrderRouteDeps): Promise<void> {
  app.get('/orders/:id', { schema: { params: OrderParamsSchema } }, async (request) => {
    const { tenant } = ucpCallerOf(request);
    const orderId = request.params.id;
    const checkoutId = checkoutIdOfOrder(orderId);
    const checkout = orderCheckout(
      checkoutId === undefined ? undefined : await deps.loadCheckout(tenant, checkoutId),
      orderId,
    );
    const block = deps.blockOf(request, 'get_order');
    if (checkout === undefined) return noResource(block, 'not_found', 'Order not found.');
    return projectUcpOrder({
      checkout,
      ucp: block,
      permalinkUrl: deps.orderUrlOf(request, orderId),
    });
  });
}
