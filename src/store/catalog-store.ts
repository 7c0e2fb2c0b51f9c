import type { PolicyFact, ProductFacts } from '../domain/index.js';
import { CATALOG_KEY_PARTS as PARTS } from './catalog-layout.js';
import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * Product and policy facts of one tenant.
 * - `products` hash: id → ProductFacts JSON
 * - `policies` hash: id → PolicyFact JSON
 * - `category:<slug>` set: product ids, so a policy change re-evaluates exactly its categories
 * - `product-ids` sorted set: every id, so feeds page through the catalog in a stable order
 * - `policies-version` counter: bumped with every policy write
 * Every product write or delete also marks the id dirty (`evaluation:dirty`) in the same MULTI,
 * so a write can never land without its re-evaluation being due (see catalog-layout.ts).
 * Values are validated before they are written (at the HTTP or job boundary), so reads trust them.
 */
export class CatalogStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /**
   * Writes all products in one MULTI: a batch is stored whole or not at all, and every id is
   * marked for re-evaluation in the same transaction.
   */
  async putProducts(products: readonly ProductFacts[]): Promise<void> {
    if (products.length === 0) return;
    const previous = await this.getProducts(products.map((product) => product.id));
    const multi = this.redis.multi();
    products.forEach((product, index) => {
      const before = previous[index];
      if (before !== undefined && before.category !== product.category) {
        multi.srem(this.key('category', before.category), product.id);
      }
      multi.hset(this.key(...PARTS.products), product.id, JSON.stringify(product));
      multi.sadd(this.key('category', product.category), product.id);
    });
    const ids = products.map((product) => product.id);
    multi.zadd(this.key(...PARTS.productIndex), ...ids.flatMap((id) => ['0', id]));
    multi.sadd(this.key(...PARTS.dirty), ...ids);
    await multi.exec();
  }

  async deleteProduct(id: string): Promise<boolean> {
    const [before] = await this.getProducts([id]);
    if (before === undefined) return false;
    await this.redis
      .multi()
      .hdel(this.key(...PARTS.products), id)
      .srem(this.key('category', before.category), id)
      .zrem(this.key(...PARTS.productIndex), id)
      // The evaluation job sees the product gone and removes its profiles and due entry.
      .sadd(this.key(...PARTS.dirty), id)
      .exec();
    return true;
  }

  async getProducts(ids: readonly string[]): Promise<(ProductFacts | undefined)[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.key(...PARTS.products), ...ids);
    return values.map((value) =>
      value === null ? undefined : (JSON.parse(value) as ProductFacts),
    );
  }

  /** The stored JSON as written, for callers that fingerprint or forward it unparsed. */
  async getProductsRaw(ids: readonly string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    return this.redis.hmget(this.key(...PARTS.products), ...ids);
  }

  /** Up to `count` product ids after `after` (exclusive) in id order; '' starts at the first. */
  async productIdsAfter(after: string, count: number): Promise<string[]> {
    const from = after === '' ? '-' : `(${after}`;
    return this.redis.zrangebylex(this.key(...PARTS.productIndex), from, '+', 'LIMIT', 0, count);
  }

  async getProduct(id: string): Promise<ProductFacts | undefined> {
    const [product] = await this.getProducts([id]);
    return product;
  }

  async productIdsInCategories(categories: readonly string[]): Promise<string[]> {
    if (categories.length === 0) return [];
    return this.redis.sunion(...categories.map((category) => this.key('category', category)));
  }

  /** Pages through every product id without loading the catalog at once. */
  async *scanProductIds(count = 500): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(
        this.key(...PARTS.products),
        cursor,
        'COUNT',
        count,
      );
      cursor = next;
      const ids: string[] = [];
      for (let i = 0; i < flat.length; i += 2) ids.push(flat[i] as string);
      if (ids.length > 0) yield ids;
    } while (cursor !== '0');
  }

  async countProducts(): Promise<number> {
    return this.redis.hlen(this.key(...PARTS.products));
  }

  async putPolicy(policy: PolicyFact): Promise<PolicyFact | undefined> {
    const before = await this.getPolicy(policy.id);
    await this.redis
      .multi()
      .hset(this.key(...PARTS.policies), policy.id, JSON.stringify(policy))
      .incr(this.key(...PARTS.policyVersion))
      .exec();
    return before;
  }

  async getPolicy(id: string): Promise<PolicyFact | undefined> {
    const value = await this.redis.hget(this.key(...PARTS.policies), id);
    return value === null ? undefined : (JSON.parse(value) as PolicyFact);
  }

  async deletePolicy(id: string): Promise<PolicyFact | undefined> {
    const before = await this.getPolicy(id);
    if (before !== undefined) {
      await this.redis
        .multi()
        .hdel(this.key(...PARTS.policies), id)
        .incr(this.key(...PARTS.policyVersion))
        .exec();
    }
    return before;
  }

  /** All policies of the tenant: a tenant has tens to hundreds, not millions. */
  async listPolicies(): Promise<PolicyFact[]> {
    const values = await this.redis.hvals(this.key(...PARTS.policies));
    return values.map((value) => JSON.parse(value) as PolicyFact);
  }

  /** The policies and the version they were read at, from one MULTI so the two agree. */
  async policiesWithVersion(): Promise<{ version: number; policies: PolicyFact[] }> {
    const replies = await this.redis
      .multi()
      .get(this.key(...PARTS.policyVersion))
      .hvals(this.key(...PARTS.policies))
      .exec();
    const version = Number(replies?.[0]?.[1] ?? 0);
    const values = (replies?.[1]?.[1] ?? []) as string[];
    return { version, policies: values.map((value) => JSON.parse(value) as PolicyFact) };
  }

  async policyVersion(): Promise<number> {
    return Number((await this.redis.get(this.key(...PARTS.policyVersion))) ?? 0);
  }
}
