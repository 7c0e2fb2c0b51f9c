import { z } from 'zod';
import type { SurfaceReading } from '../../domain/surface-claims.js';

/**
 * Reads a UCP checkout of one product back into what it claims about the product's decisions.
 * UCP says whether the checkout can be completed: `ready_for_complete` with no error message
 * claims prepare_checkout allowed; anything else claims it is not allowed. Its error codes are
 * coarser than the domain's blockers (`item_unavailable` stands for several), so no blocker is
 * claimed. The spec of adapters/ucp/product-checkout.ts.
 */
const CheckoutWireSchema = z.object({
  status: z.string(),
  messages: z.array(z.object({ type: z.string() })).default([]),
});

export function decodeUcpCheckout(wire: unknown): SurfaceReading {
  const checkout = CheckoutWireSchema.parse(wire);
  const ready =
    checkout.status === 'ready_for_complete' &&
    checkout.messages.every((message) => message.type !== 'error');
  return { claims: [{ action: 'prepare_checkout', result: ready ? 'allowed' : 'not_allowed' }] };
}
