import { z } from 'zod';
import type { SurfaceReading } from '../../domain/surface-claims.js';

/**
 * Reads a UCP catalog lookup answer for one id back into what it claims about that product —
 * the spec of the catalog projection. A returned product says discover is allowed, and its
 * variants' `availability.available` says prepare_checkout is allowed or not (the protocol can
 * say no more than yes or no). A `not_found` message says discover is not allowed (an unknown
 * product and an undiscoverable one read the same). `price_unavailable` says the product was
 * found but could not be listed without a price: discover allowed, nothing else claimed.
 */
const WireSchema = z.object({
  products: z.array(
    z.object({
      variants: z.array(z.object({ availability: z.object({ available: z.boolean() }) })).min(1),
    }),
  ),
  messages: z.array(z.object({ code: z.string() })).optional(),
});

export function decodeUcpLookup(wire: unknown): SurfaceReading {
  const answer = WireSchema.parse(wire);
  const [product] = answer.products;
  if (product !== undefined) {
    const available = product.variants.every((variant) => variant.availability.available);
    return {
      claims: [
        { action: 'discover', result: 'allowed' },
        { action: 'prepare_checkout', result: available ? 'allowed' : 'not_allowed' },
      ],
    };
  }
  const codes = (answer.messages ?? []).map((message) => message.code);
  if (codes.includes('not_found'))
    return { claims: [{ action: 'discover', result: 'not_allowed' }] };
  if (codes.includes('price_unavailable'))
    return { claims: [{ action: 'discover', result: 'allowed' }] };
  return { claims: [] };
}
