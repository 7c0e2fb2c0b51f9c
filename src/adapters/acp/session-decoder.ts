import { z } from 'zod';
import type { SurfaceReading } from '../../domain/surface-claims.js';

/**
 * Reads an ACP checkout session of one product back into what it claims about the product's
 * decisions. ACP says only whether the session can be paid: `ready_for_payment` with no error
 * message claims prepare_checkout allowed; anything else claims it is not allowed. Its message
 * codes are ACP's closed list, coarser than the domain's blockers, so no blocker is claimed.
 * The spec of adapters/acp/product-session.ts.
 */
const SessionWireSchema = z.object({
  status: z.string(),
  messages: z.array(z.object({ type: z.string() })),
});

export function decodeAcpSession(wire: unknown): SurfaceReading {
  const session = SessionWireSchema.parse(wire);
  const ready =
    session.status === 'ready_for_payment' &&
    session.messages.every((message) => message.type !== 'error');
  return { claims: [{ action: 'prepare_checkout', result: ready ? 'allowed' : 'not_allowed' }] };
}
