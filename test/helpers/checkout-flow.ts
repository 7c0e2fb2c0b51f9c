import { startPaymentRequestOf } from '../../src/adapters/acp/complete-request.js';
import type {
  CheckoutRecord,
  TransitionResult,
} from '../../src/services/checkout/checkout-record.js';
import type { CheckoutService } from '../../src/services/checkout/checkout-service.js';
import { AGENT_ACTOR, allowanceFor, EU_AGENT } from './checkout-fixtures.js';
import { type CheckoutHarness, TENANT } from './checkout-harness.js';
import { waitFor } from './wait-for.js';

/** Drives one cart through create → add → prepare → complete; returns the complete answer. */
export async function buyBackpack(
  service: CheckoutService,
  tenant: string,
  options: { quantity?: number; key?: string } = {},
): Promise<TransitionResult> {
  const key = options.key ?? `buy-${Math.random().toString(36).slice(2)}`;
  const created = await service.createCheckout(
    tenant,
    { context: EU_AGENT },
    { idempotencyKey: `${key}-c` },
  );
  const id = created.checkout?.id as string;
  const quantity = options.quantity ?? 1;
  await service.addItem(
    tenant,
    id,
    { productId: 'BAG-TRAVEL-42', quantity },
    { idempotencyKey: `${key}-a` },
  );
  const prepared = await service.prepare(tenant, id, {}, { idempotencyKey: `${key}-p` });
  if (prepared.outcome !== 'applied')
    throw new Error(`prepare refused: ${JSON.stringify(prepared.decision)}`);
  return service.startPayment(
    tenant,
    id,
    startPaymentRequestOf({
      allowance: allowanceFor(id, 12900 * quantity, Date.now(), tenant),
      actor: AGENT_ACTOR,
    }),
    { idempotencyKey: `${key}-x` },
  );
}

/**
 * Waits until the checkout is in `state` with no outbox effect pending. The counts are read
 * before the checkout, so the checkout returned already carries every settlement that emptied
 * the outbox (read the other way round, a settlement landing in between is missed).
 */
export function settledCheckout(
  h: CheckoutHarness,
  id: string,
  state: CheckoutRecord['state'],
  tenant = TENANT,
) {
  return waitFor(`checkout ${id} ${state} with nothing pending`, async () => {
    const counts = await h.outbox(tenant).countByStatus();
    const checkout = await h.service.get(tenant, id);
    return checkout?.state === state && counts.pending === 0 ? checkout : undefined;
  });
}
