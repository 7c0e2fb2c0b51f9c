import type { Clock } from '../clock.js';
import {
  contextKey,
  type EvaluationContext,
  evaluateProduct,
  type ProductActionProfile,
  type ProductFacts,
  unknownProductProfile,
} from '../domain/index.js';
import type { Logger } from '../logger.js';
import { decodeProfile, type StoredProfile } from '../store/profile-codec.js';
import {
  type EvaluationService,
  factsFingerprint,
  isCurrent,
  type TenantStores,
} from './evaluation-service.js';

/**
 * Where a profile came from:
 * - `stored`: the profile the evaluation job wrote, still current;
 * - `evaluated`: none was stored for this context, or the stored one was out of date (expired,
 *   or its facts or policies changed since), so the domain evaluated it now;
 * - `unknown`: no such product; the domain's unknown-product profile (all blocked).
 */
export type ProfileSource = 'stored' | 'evaluated' | 'unknown';

export interface ProfileLookup {
  profile: ProductActionProfile;
  source: ProfileSource;
  product?: ProductFacts;
}

/**
 * How every surface (HTTP, feeds, A2A, MCP …) reads a product's action profile. A stored profile
 * is served only while it says what the domain would decide now; otherwise the domain decides
 * again on read, and the product is queued so the stored profile catches up. An expired
 * `allowed` is therefore never served.
 */
export class ProfileService {
  constructor(
    private readonly storesOf: (tenant: string) => TenantStores,
    private readonly evaluation: EvaluationService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async getProfile(
    tenant: string,
    productId: string,
    context: EvaluationContext,
  ): Promise<ProductActionProfile> {
    return (await this.lookup(tenant, productId, context)).profile;
  }

  async lookup(
    tenant: string,
    productId: string,
    context: EvaluationContext,
  ): Promise<ProfileLookup> {
    const [found] = await this.currentPage(tenant, [productId], context, this.clock.nowMs());
    return (
      found ?? {
        profile: unknownProductProfile(productId, context, this.clock.nowMs()),
        source: 'unknown',
      }
    );
  }

  /**
   * Current profiles of a page of products in one context (undefined where the product does not
   * exist), with two round trips for the page whatever its size.
   */
  async currentPage(
    tenant: string,
    ids: readonly string[],
    context: EvaluationContext,
    nowMs: number,
  ): Promise<(ProfileLookup | undefined)[]> {
    const stores = this.storesOf(tenant);
    const key = contextKey(context);
    const [raws, storedRaws, policies] = await Promise.all([
      stores.catalog.getProductsRaw(ids),
      stores.profiles.readRaw(key, ids),
      this.evaluation.policyIndex(stores.catalog),
    ]);
    const stale: string[] = [];
    const out = ids.map((id, i): ProfileLookup | undefined => {
      const raw = raws[i];
      if (raw === null || raw === undefined) return undefined;
      const product = JSON.parse(raw) as ProductFacts;
      const storedRaw = storedRaws[i];
      if (storedRaw !== null && storedRaw !== undefined) {
        const stored = JSON.parse(storedRaw) as StoredProfile;
        const fingerprint = factsFingerprint(raw, this.evaluation.options);
        if (isCurrent(stored, fingerprint, policies.fingerprintFor(product.category), nowMs)) {
          return { profile: decodeProfile(id, context, stored), source: 'stored', product };
        }
      }
      stale.push(id);
      const profile = evaluateProduct(
        product,
        policies.index,
        context,
        nowMs,
        this.evaluation.options,
      );
      return { profile, source: 'evaluated', product };
    });
    if (stale.length > 0 && this.evaluation.contextKeys.includes(key)) {
      // The stored profiles are behind: have the jobs catch up. Serving is already correct,
      // so a failure here is logged, not raised.
      void this.catchUp(stores, tenant, stale);
    }
    return out;
  }

  private async catchUp(stores: TenantStores, tenant: string, ids: string[]): Promise<void> {
    try {
      await stores.work.markDirty(ids);
      await this.evaluation.requestEvaluation(tenant);
    } catch (error) {
      this.logger.warn({ tenant, err: error }, 'could not queue re-evaluation of stale profiles');
    }
  }
}
