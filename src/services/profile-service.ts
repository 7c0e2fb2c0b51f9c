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
  type TenantPolicies,
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
  /** for a `stored` profile: what it was evaluated from and until when it holds */
  currency?: ProfileCurrency;
}

/** What a stored profile was evaluated from, and until when it holds (see isCurrent). */
export interface ProfileCurrency {
  factsFingerprint: string;
  policyFingerprint: string;
  /** the product's category, whose applicable policies the policy fingerprint covers */
  category: string;
  validUntilMs: number | null;
  rulesetVersion: string;
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
    // The facts and the stored profiles in parallel: one round trip's wait, not two.
    const [raws, storedRaws, policies] = await Promise.all([
      stores.catalog.getProductsRaw(ids),
      stores.profiles.readRaw(contextKey(context), ids),
      this.evaluation.policyIndex(stores.catalog),
    ]);
    return this.current(tenant, ids, raws, storedRaws, policies, context, nowMs);
  }

  /** currentPage for facts the caller has read already (`raws`, in the order of `ids`). */
  async currentPageOf(
    tenant: string,
    ids: readonly string[],
    raws: readonly (string | null)[],
    context: EvaluationContext,
    nowMs: number,
  ): Promise<(ProfileLookup | undefined)[]> {
    const stores = this.storesOf(tenant);
    const [storedRaws, policies] = await Promise.all([
      stores.profiles.readRaw(contextKey(context), ids),
      this.evaluation.policyIndex(stores.catalog),
    ]);
    return this.current(tenant, ids, raws, storedRaws, policies, context, nowMs);
  }

  private current(
    tenant: string,
    ids: readonly string[],
    raws: readonly (string | null)[],
    storedRaws: readonly (string | null)[],
    policies: TenantPolicies,
    context: EvaluationContext,
    nowMs: number,
  ): (ProfileLookup | undefined)[] {
    const stores = this.storesOf(tenant);
    const key = contextKey(context);
    const stale: string[] = [];
    const out = ids.map((id, i): ProfileLookup | undefined => {
      const raw = raws[i];
      if (raw === null || raw === undefined) return undefined;
      const product = JSON.parse(raw) as ProductFacts;
      const storedRaw = storedRaws[i];
      if (storedRaw !== null && storedRaw !== undefined) {
        const stored = JSON.parse(storedRaw) as StoredProfile;
        const fingerprint = factsFingerprint(raw, this.evaluation.options);
        const policyFingerprint = policies.fingerprintFor(product.category);
        if (isCurrent(stored, fingerprint, policyFingerprint, nowMs)) {
          return {
            profile: decodeProfile(id, context, stored),
            source: 'stored',
            product,
            currency: {
              factsFingerprint: fingerprint,
              policyFingerprint,
              category: product.category,
              validUntilMs: stored.u,
              rulesetVersion: stored.r,
            },
          };
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

  /**
   * Tells whether something derived from a stored profile with this `currency` still holds for
   * the product's facts `raw` at `nowMs`: the same test a stored profile passes to be served
   * (same facts, same applicable policies, same rules, not expired).
   */
  async currencyTest(
    tenant: string,
  ): Promise<(raw: string, currency: ProfileCurrency, nowMs: number) => boolean> {
    const policies = await this.evaluation.policyIndex(this.storesOf(tenant).catalog);
    const options = this.evaluation.options;
    return (raw, currency, nowMs) =>
      isCurrent(
        {
          f: currency.factsFingerprint,
          p: currency.policyFingerprint,
          r: currency.rulesetVersion,
          u: currency.validUntilMs,
        },
        factsFingerprint(raw, options),
        policies.fingerprintFor(currency.category),
        nowMs,
      );
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
