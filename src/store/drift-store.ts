import { type DriftSummary, DriftSummarySchema } from '../domain/index.js';
import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

const PARTS = { last: ['drift', 'last'], cursor: ['drift', 'cursor'] } as const;

/**
 * Where the drift audit keeps its place in the catalog (the id it stopped after, so successive
 * runs walk every product) and the summary of its last run.
 */
export class DriftStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
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
