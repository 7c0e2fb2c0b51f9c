import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * A tenant's product subscriptions (`subscriptions:products` hash: id → JSON), in the tenant's
 * slot like everything else of the tenant. The store keeps text; the subscription service owns
 * its shape.
 */
export class ProductSubscriptionStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  private get hash(): string {
    return this.key('subscriptions', 'products');
  }

  /** Stores `json` under `id`; resolves true when the id was new. */
  async put(id: string, json: string): Promise<boolean> {
    return (await this.redis.hset(this.hash, id, json)) === 1;
  }

  async get(id: string): Promise<string | undefined> {
    return (await this.redis.hget(this.hash, id)) ?? undefined;
  }

  async all(): Promise<string[]> {
    return this.redis.hvals(this.hash);
  }

  /** How many subscriptions the tenant has (HLEN: no subscription is read). */
  async count(): Promise<number> {
    return this.redis.hlen(this.hash);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.hash, id)) === 1;
  }
}
