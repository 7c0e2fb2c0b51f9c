import { expect } from 'vitest';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import type { OutboxEffect } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';

/**
 * A receipt effect of `tenant`: as it is, for store-level outbox tests; with `fields` (a
 * `receiptBody` among them) one a receipt provider takes.
 */
export function receiptEffect(
  id: string,
  tenant: string,
  fields: Partial<Pick<OutboxEffect, 'body' | 'correlationId' | 'createdAtMs'>> = {},
): OutboxEffect {
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
    ...fields,
  };
}

/** The receipt of order `n` as a receipt provider takes it: no lines, `amount` EUR minor units. */
export function receiptBody(n: number | string, amount: number): OutboxEffect['body'] {
  return {
    checkoutId: `co_${n}`,
    orderId: `ord_${n}`,
    lines: [],
    total: { amount, currency: 'EUR' },
  };
}

/** Writes the effects, due now, the way a checkout transition does (one atomic commit). */
export async function commitEffects(
  redis: RedisClient,
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
