import type { Redis } from 'ioredis';
import { z } from 'zod';
import { defineJob } from '../src/queues/job-shell.js';
import {
  type ReconciliationDeps,
  reconcilePayments,
} from '../src/services/checkout/payment-reconciliation.js';
import { outboxTenantsKey } from '../src/store/outbox-store.js';

/** Compares local payment state with the payment provider's and stores a drift report per tenant. */
export const queue = 'reconcile-payments';

export const PayloadSchema = z.object({ tenant: z.string().min(1).optional() });

export const reconcilePaymentsJob = defineJob({
  queue,
  PayloadSchema,
  async process(payload, deps: ReconciliationDeps & { redis: Redis }) {
    const tenants =
      payload.tenant === undefined
        ? await deps.redis.smembers(outboxTenantsKey(deps.prefix))
        : [payload.tenant];
    const reports = [];
    for (const tenant of tenants) {
      const report = await reconcilePayments(deps, tenant);
      reports.push({ tenant, checked: report.checked, drift: report.drift.length });
    }
    return reports;
  },
});
