import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import {
  DEFAULT_EVALUATION_OPTIONS,
  type EvaluationContext,
  type EvaluationOptions,
  evaluateProduct,
  PolicyIndex,
  type ProductActionProfile,
  unknownProductProfile,
} from '../domain/index.js';
import { CatalogStore } from '../store/catalog-store.js';

export interface ProductDecisionsDeps {
  redis: Redis;
  keyPrefix: string;
  clock: Clock;
  options?: EvaluationOptions;
}

/**
 * The profile of one product in one context, evaluated from the stored facts at the clock's
 * now. An id nobody ingested gets the domain's unknown-product profile (every action blocked).
 */
export async function evaluateStoredProduct(
  deps: ProductDecisionsDeps,
  tenant: string,
  productId: string,
  context: EvaluationContext,
): Promise<ProductActionProfile> {
  const catalog = new CatalogStore(deps.redis, deps.keyPrefix, tenant);
  const [product, policies] = await Promise.all([
    catalog.getProduct(productId),
    catalog.listPolicies(),
  ]);
  const nowMs = deps.clock.nowMs();
  if (product === undefined) return unknownProductProfile(productId, context, nowMs);
  return evaluateProduct(
    product,
    new PolicyIndex(policies),
    context,
    nowMs,
    deps.options ?? DEFAULT_EVALUATION_OPTIONS,
  );
}
