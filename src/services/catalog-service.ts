import type { PolicyFact, ProductFacts } from '../domain/index.js';
import type { AuditEntry } from '../store/audit-store.js';
import type { EvaluationService, TenantStores } from './evaluation-service.js';

const ALL = '*';

/**
 * Writes facts and queues the re-evaluation of exactly the products they affect. The store marks
 * written products dirty in the same MULTI as the write; a policy marks its categories' products.
 * Enqueuing the job comes after the write: if it fails, the ids stay dirty and the next sweep
 * (or any read, which re-evaluates out-of-date profiles) picks them up.
 */
export class CatalogService {
  constructor(
    private readonly storesOf: (tenant: string) => TenantStores,
    private readonly evaluation: EvaluationService,
  ) {}

  async putProducts(tenant: string, products: readonly ProductFacts[]): Promise<void> {
    await this.storesOf(tenant).catalog.putProducts(products);
    await this.evaluation.requestEvaluation(tenant);
  }

  getProduct(tenant: string, id: string): Promise<ProductFacts | undefined> {
    return this.storesOf(tenant).catalog.getProduct(id);
  }

  /** The product's decisions, newest first; undefined when there is neither history nor product. */
  async auditHistory(tenant: string, id: string, limit: number): Promise<AuditEntry[] | undefined> {
    const stores = this.storesOf(tenant);
    const entries = await stores.audit.history(id, limit);
    if (entries.length === 0 && (await stores.catalog.getProduct(id)) === undefined)
      return undefined;
    return entries;
  }

  async deleteProduct(tenant: string, id: string): Promise<boolean> {
    const deleted = await this.storesOf(tenant).catalog.deleteProduct(id);
    if (deleted) await this.evaluation.requestEvaluation(tenant);
    return deleted;
  }

  async putPolicy(tenant: string, policy: PolicyFact): Promise<{ created: boolean }> {
    const before = await this.storesOf(tenant).catalog.putPolicy(policy);
    await this.reevaluateCategories(tenant, [before, policy]);
    return { created: before === undefined };
  }

  async deletePolicy(tenant: string, id: string): Promise<boolean> {
    const before = await this.storesOf(tenant).catalog.deletePolicy(id);
    if (before === undefined) return false;
    await this.reevaluateCategories(tenant, [before]);
    return true;
  }

  /** Marks dirty every product in a category the policies (old and new version) apply to. */
  private async reevaluateCategories(
    tenant: string,
    policies: readonly (PolicyFact | undefined)[],
  ): Promise<void> {
    const stores = this.storesOf(tenant);
    const categories = new Set<string>();
    for (const policy of policies)
      for (const category of policy?.appliesTo.categories ?? []) categories.add(category);
    if (categories.has(ALL)) {
      for (let after = '', page: string[]; ; after = page.at(-1) as string) {
        page = await stores.catalog.productIdsAfter(after, 2_000);
        await stores.work.markDirty(page);
        if (page.length < 2_000) break;
      }
    } else {
      await stores.work.markDirty(await stores.catalog.productIdsInCategories([...categories]));
    }
    await this.evaluation.requestEvaluation(tenant);
  }
}
