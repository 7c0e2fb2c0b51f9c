import { z } from 'zod';

/**
 * What the drift audit finds when a surface and the domain disagree about a decision: the stored
 * profile is out of date (`stale`), a surface says more than the domain (`optimistic`), or it
 * says something else (`mismatch`). Shared by the audit that counts them, the store that keeps
 * the last run and the operator page that shows it.
 */
export const DRIFT_KINDS = ['stale', 'optimistic', 'mismatch'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The last drift audit of one tenant, as the readiness page shows it. */
export const DriftSummarySchema = z.object({
  ranAt: z.string(),
  /** products the run sampled */
  products: z.number().int().min(0),
  /** product × context pairs it re-decided */
  checked: z.number().int().min(0),
  /** disagreements by surface and kind; surfaces with none are left out */
  counts: z.array(
    z.object({ surface: z.string(), kind: z.enum(DRIFT_KINDS), count: z.number().int().min(1) }),
  ),
  /** the first optimistic disagreements, `productId context surface action: claimed/actual` */
  optimistic: z.array(z.string()),
});
export type DriftSummary = z.infer<typeof DriftSummarySchema>;
