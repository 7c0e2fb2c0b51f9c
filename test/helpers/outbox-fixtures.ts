import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import type { OutboxEffect } from '../../src/store/outbox-store.js';

/** A receipt effect of `tenant`, for store-level outbox tests. */
export function receiptEffect(id: string, tenant: string): OutboxEffect {
  return {
    id,
    tenant,
    kind: 'receipt',
    provider: 'receipt',
    method: 'POST',
    path: '/receipts',
    body: {},
    correlationId: 'outbox-store-test',
    createdAtMs: 0,
  };
}

/** Writes the effects, due now, the way a checkout transition does (one atomic commit). */
export async function commitEffects(
  redis: Redis,
  prefix: string,
  tenant: string,
  ids: readonly string[],
): Promise<void> {
  const result = await new CheckoutStore(redis, prefix, tenant).commit({
    checkoutId: `co-${ids[0]}`,
    expectedVersion: 0,
    doc: '{}',
    effects: ids.map((id) => ({ effect: receiptEffect(id, tenant), dueMs: 0 })),
    audit: { type: 'test.commit' },
  });
  expect(result.kind).toBe('ok');
}
