import { defineJob } from '../src/queues/job-shell.js';
import { OUTBOX_QUEUE_NAMES, ReconcilePaymentsPayloadSchema } from '../src/queues/outbox-queues.js';
import {
  type ReconciliationDeps,
  reconcilePayments,
} from '../src/services/checkout/payment-reconciliation.js';
import { outboxTenantsKey } from '../src/store/outbox-store.js';
import type { RedisClient } from '../src/store/redis.js';

/** Compares local payment state with the payment provider's and stores a drift report per tenant. */
export const queue = OUTBOX_QUEUE_NAMES.reconcile;
export const PayloadSchema = ReconcilePaymentsPayloadSchema;

export const reconcilePaymentsJob = defineJob({
  queue,
  PayloadSchema,
  async process(payload, deps: ReconciliationDeps & { redis: RedisClient }) {
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
