import type { Redis } from 'ioredis';
import type { PolicyFact, ProductFacts } from '../domain/index.js';
import { type TenantKey, tenantKeys } from './keys.js';

/**
 * Product and policy facts of one tenant.
 * - `products` hash: id → ProductFacts JSON
 * - `policies` hash: id → PolicyFact JSON
 * - `category:<slug>` set: product ids, so a policy change re-evaluates exactly its categories
 * Values are validated before they are written (at the HTTP or job boundary), so reads trust them.
 */
export class CatalogStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /** Writes all products in one MULTI: a batch is stored whole or not at all. */
  async putProducts(products: readonly ProductFacts[]): Promise<void> {
    if (products.length === 0) return;
    const previous = await this.getProducts(products.map((product) => product.id));
    const multi = this.redis.multi();
    products.forEach((product, index) => {
      const before = previous[index];
      if (before !== undefined && before.category !== product.category) {
        multi.srem(this.key('category', before.category), product.id);
      }
      multi.hset(this.key('products'), product.id, JSON.stringify(product));
      multi.sadd(this.key('category', product.category), product.id);
    });
    await multi.exec();
  }

  async deleteProduct(id: string): Promise<boolean> {
    const [before] = await this.getProducts([id]);
    if (before === undefined) return false;
    await this.redis
      .multi()
      .hdel(this.key('products'), id)
      .srem(this.key('category', before.category), id)
      .exec();
    return true;
  }

  async getProducts(ids: readonly string[]): Promise<(ProductFacts | undefined)[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.key('products'), ...ids);
    return values.map((value) =>
      value === null ? undefined : (JSON.parse(value) as ProductFacts),
    );
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
      const [next, flat] = await this.redis.hscan(this.key('products'), cursor, 'COUNT', count);
      cursor = next;
      const ids: string[] = [];
      for (let i = 0; i < flat.length; i += 2) ids.push(flat[i] as string);
      if (ids.length > 0) yield ids;
    } while (cursor !== '0');
  }

  async countProducts(): Promise<number> {
    return this.redis.hlen(this.key('products'));
  }

  async putPolicy(policy: PolicyFact): Promise<PolicyFact | undefined> {
    const before = await this.getPolicy(policy.id);
    await this.redis.hset(this.key('policies'), policy.id, JSON.stringify(policy));
    return before;
  }

  async getPolicy(id: string): Promise<PolicyFact | undefined> {
    const value = await this.redis.hget(this.key('policies'), id);
    return value === null ? undefined : (JSON.parse(value) as PolicyFact);
  }

  async deletePolicy(id: string): Promise<PolicyFact | undefined> {
    const before = await this.getPolicy(id);
    if (before !== undefined) await this.redis.hdel(this.key('policies'), id);
    return before;
  }

  /** All policies of the tenant: a tenant has tens to hundreds, not millions. */
  async listPolicies(): Promise<PolicyFact[]> {
    const values = await this.redis.hvals(this.key('policies'));
    return values.map((value) => JSON.parse(value) as PolicyFact);
  }
}
