import { z } from 'zod';
import type { SurfaceReading } from '../src/domain/surface-claims.js';

/**
 * Reads an ACP feed product back into what it claims. The feed lists only products agents may
 * discover, so absence (null) says discover is not allowed; a listed product says discover is
 * allowed, and its variant's `availability.available` says prepare_checkout is allowed or not.
 * ACP has no words for the other actions or for blockers. The spec of projectAcpProduct.
 */
const AcpWireSchema = z.object({
  id: z.string(),
  variants: z.array(z.object({ availability: z.object({ available: z.boolean() }) })).min(1),
});

export function decodeAcpProduct(wire: unknown): SurfaceReading {
  if (wire === null) return { claims: [{ action: 'discover', result: 'not_allowed' }] };
  const product = AcpWireSchema.parse(wire);
  const available = product.variants.every((variant) => variant.availability.available);
  return {
    claims: [
      { action: 'discover', result: 'allowed' },
      { action: 'prepare_checkout', result: available ? 'allowed' : 'not_allowed' },
    ],
  };
}
