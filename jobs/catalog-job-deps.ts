import type { FeedPublisher } from '../feeds/feed-publisher.js';
import type { AppContext } from '../src/app-context.js';
import type { CatalogService } from '../src/services/catalog-service.js';
import type { EvaluationService, TenantStores } from '../src/services/evaluation-service.js';

/**
 * What the catalog and feed jobs use. The wiring (src/app/catalog-runtime.ts) hands them its
 * catalog runtime, which has all of it; declaring it here keeps the jobs from importing the
 * wiring that starts them.
 */
export interface CatalogJobDeps {
  ctx: Pick<AppContext, 'config' | 'clock'>;
  /** every tenant that holds a token; the sweeps run for each */
  tenants: readonly string[];
  storesOf(tenant: string): TenantStores;
  evaluation: EvaluationService;
  catalog: CatalogService;
  feeds: FeedPublisher;
  /** Asks for a projection of the tenant's decision changes into subscribers' events. */
  decisionEvents?: {
    request(tenant: string): Promise<void>;
    /** whether changes wait unprojected (a request lost to a crash) */
    backlogged(tenant: string): Promise<boolean>;
    /** Writes the profile.expiring warnings due by `nowMs`; resolves how many. */
    warnExpiring(tenant: string, nowMs: number): Promise<number>;
  };
}
