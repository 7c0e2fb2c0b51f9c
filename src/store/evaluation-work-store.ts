import { claimedKeyParts, CATALOG_KEY_PARTS as PARTS } from './catalog-layout.js';
import { type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';

/**
 * The work list of the evaluation jobs, per tenant:
 * - `evaluation:dirty`: ids whose profiles must be (re-)computed; ingest adds to it in the same
 *   MULTI as the facts (catalog-store.ts);
 * - `evaluation:claimed:<jobId>`: ids a job took; deleted with the profiles it wrote (same MULTI),
 *   handed back to `dirty` if the job gives up, taken again if the job is retried;
 * - `evaluation:due`: id → earliest validUntil ms, moved back to `dirty` once passed.
 */
export class EvaluationWorkStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  dirtyKey(): string {
    return this.key(...PARTS.dirty);
  }

  dueKey(): string {
    return this.key(...PARTS.due);
  }

  claimedKey(jobId: string): string {
    return this.key(...claimedKeyParts(jobId));
  }

  async markDirty(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.sadd(this.dirtyKey(), ...ids);
  }

  async dirtyCount(): Promise<number> {
    return this.redis.scard(this.dirtyKey());
  }

  async claim(jobId: string, count: number): Promise<string[]> {
    return (await runScript(
      this.redis,
      'claim-dirty-2',
      [this.dirtyKey(), this.claimedKey(jobId)],
      [count],
    )) as string[];
  }

  /** Hands a job's claim back to the dirty set (the job gave up); a no-op when none is held. */
  async release(jobId: string): Promise<void> {
    const claimed = this.claimedKey(jobId);
    await this.redis
      .multi()
      .sunionstore(this.dirtyKey(), this.dirtyKey(), claimed)
      .del(claimed)
      .exec();
  }

  /** Moves every id due by `nowMs` into the dirty set; returns how many moved. */
  async moveDue(nowMs: number, limit = 5_000): Promise<number> {
    let moved = 0;
    for (;;) {
      const step = (await runScript(
        this.redis,
        'move-due-2',
        [this.dueKey(), this.dirtyKey()],
        [nowMs, limit],
      )) as number;
      moved += step;
      if (step < limit) return moved;
    }
  }

  /**
   * Products whose earliest validUntil falls after `fromMs` and by `toMs`, soonest first, at most
   * `limit` (the profile.expiring sweep's window).
   */
  async dueWithin(
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<{ productId: string; validUntilMs: number }[]> {
    const flat = await this.redis.zrangebyscore(
      this.dueKey(),
      `(${fromMs}`,
      toMs,
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const due: { productId: string; validUntilMs: number }[] = [];
    for (let i = 0; i < flat.length; i += 2)
      due.push({ productId: flat[i] as string, validUntilMs: Number(flat[i + 1]) });
    return due;
  }

  /** ms of the earliest due profile, or null when none is scheduled. */
  async nextDueMs(): Promise<number | null> {
    const [, score] = await this.redis.zrange(this.dueKey(), 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }
}
