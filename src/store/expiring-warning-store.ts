import { type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import { type DueEffect, effectTriples } from './outbox-store.js';
import type { RedisClient } from './redis.js';

/**
 * The profile.expiring warnings of a tenant: which validUntil each product was last warned of
 * (`expiring:warned`, product → ms), and the write of a sweep's warnings into the outbox with
 * those marks, in one script (expiring-warn-4.lua). In the tenant's slot like its outbox.
 */
export class ExpiringWarningStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  private get warnedKey(): string {
    return this.key('expiring', 'warned');
  }

  /** The validUntil (ms) each product was last warned of, in order; undefined where none. */
  async warnedOf(productIds: readonly string[]): Promise<(number | undefined)[]> {
    if (productIds.length === 0) return [];
    const values = await this.redis.hmget(this.warnedKey, ...productIds);
    return values.map((value) => (value === null ? undefined : Number(value)));
  }

  /**
   * Marks the products warned of for their validUntil and writes the warnings, each once (an id
   * already in the outbox is left as it is); resolves how many were new.
   */
  async write(
    marks: readonly { productId: string; validUntilMs: number }[],
    warnings: readonly DueEffect[],
  ): Promise<number> {
    if (marks.length === 0) return 0;
    return (await runScript(
      this.redis,
      'expiring-warn-4',
      [
        this.key('outbox', 'def'),
        this.key('outbox', 'status'),
        this.key('outbox', 'due'),
        this.warnedKey,
      ],
      [
        marks.length,
        ...marks.flatMap(({ productId, validUntilMs }) => [productId, validUntilMs]),
        ...effectTriples(warnings),
      ],
    )) as number;
  }
}
