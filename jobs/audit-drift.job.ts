import { AUDIT_DRIFT_QUEUE, AuditDriftPayloadSchema } from '../src/queues/drift-queues.js';
import { defineJob } from '../src/queues/job-shell.js';
import { auditDrift, type DriftAuditDeps } from '../src/services/drift-audit.js';

export const queue = AUDIT_DRIFT_QUEUE;
export const PayloadSchema = AuditDriftPayloadSchema;

/**
 * Drift measured at run time (job scheduler, every DRIFT_AUDIT_EVERY_MS): per tenant, samples
 * DRIFT_AUDIT_SAMPLE products, re-decides them from current facts and counts where the stored
 * profile or a surface disagrees (acw_drift_total, the readiness page, an error log per
 * optimistic one). See services/drift-audit.ts.
 */
export const auditDriftJob = defineJob({
  queue,
  PayloadSchema,
  process: (_payload, deps: DriftAuditDeps) => auditDrift(deps),
});
