import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type TenantKey, tenantKeys } from './keys.js';

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

const PARTS = { last: ['drift', 'last'], cursor: ['drift', 'cursor'] } as const;

/**
 * Where the drift audit keeps its place in the catalog (the id it stopped after, so successive
 * runs walk every product) and the summary of its last run.
 */
export class DriftStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  async cursor(): Promise<string> {
    return (await this.redis.get(this.key(...PARTS.cursor))) ?? '';
  }

  async save(summary: DriftSummary, cursor: string): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(...PARTS.last), JSON.stringify(summary))
      .set(this.key(...PARTS.cursor), cursor)
      .exec();
  }

  /** The last run's summary; undefined before the first run (or if what is stored is not one). */
  async last(): Promise<DriftSummary | undefined> {
    const raw = await this.redis.get(this.key(...PARTS.last));
    if (raw === null) return undefined;
    const parsed = DriftSummarySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }
}
