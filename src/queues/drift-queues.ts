import { z } from 'zod';

/** The drift audit: one job per DRIFT_AUDIT_EVERY_MS, over every tenant. */
export const AUDIT_DRIFT_QUEUE = 'audit-drift';
export const AuditDriftPayloadSchema = z.object({});
