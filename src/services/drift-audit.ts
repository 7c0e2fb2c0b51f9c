import type { DriftKind, DriftSummary } from '../domain/index.js';
import {
  contextKey,
  type EvaluationContext,
  evaluateProduct,
  type ProductActionProfile,
  type ProductFacts,
  toInstant,
} from '../domain/index.js';
import {
  canonicalDecisions,
  type Disagreement,
  disagreements,
  type SurfaceReading,
} from '../domain/surface-claims.js';
import type { Logger } from '../logger.js';
import type { DriftStore } from '../store/drift-store.js';
import { decodeProfile, type StoredProfile } from '../store/profile-codec.js';
import type { EvaluationService, TenantStores } from './evaluation-service.js';
import type { ProfileService } from './profile-service.js';

/** A surface as the audit runs it: its projection to the wire and its decoder back. */
export interface AuditedSurface {
  name: string;
  wire(input: { product: ProductFacts; profile: ProductActionProfile; nowMs: number }): unknown;
  decode(wire: unknown): SurfaceReading;
}

/** The surface name `stale` is counted under: the stored profile itself. */
export const STORED_PROFILE = 'stored_profile';

/** How many optimistic findings a summary lists by name (all are logged). */
const LISTED_OPTIMISTIC = 20;

export interface DriftAuditDeps {
  tenants: readonly string[];
  storesOf(tenant: string): TenantStores;
  evaluation: EvaluationService;
  profiles: ProfileService;
  surfaces: readonly AuditedSurface[];
  driftStore(tenant: string): DriftStore;
  /** products per tenant per run */
  sample: number;
  nowMs(): number;
  logger: Logger;
  /** told every disagreement found (the acw_drift_total counter) */
  record(surface: string, kind: DriftKind): void;
}

/** The next `sample` ids after the cursor, wrapping to the start; '' as next when it wrapped short. */
async function nextSample(
  stores: TenantStores,
  cursor: string,
  sample: number,
): Promise<{ ids: string[]; next: string }> {
  const ids = await stores.catalog.productIdsAfter(cursor, sample);
  if (ids.length < sample && cursor !== '') {
    const seen = new Set(ids);
    for (const id of await stores.catalog.productIdsAfter('', sample - ids.length))
      if (!seen.has(id)) ids.push(id);
  }
  return { ids, next: ids.length < sample ? '' : (ids.at(-1) ?? '') };
}

/** The worst kind among one surface's disagreements: a single optimistic claim makes it so. */
function kindOf(found: readonly Disagreement[]): DriftKind | undefined {
  if (found.length === 0) return undefined;
  return found.some((d) => d.kind === 'optimistic') ? 'optimistic' : 'mismatch';
}

function describe(d: Disagreement): string {
  const action = d.policyDomain === undefined ? d.action : `${d.action}/${d.policyDomain}`;
  return `${action}: ${d.claimed} (domain: ${d.actual})`;
}

/**
 * Measures drift at run time: samples a tenant's products, has the domain decide each again
 * from the current facts in every kept context, and compares with what each surface would say
 * now (projection of the profile the profile service serves, read back by the surface's
 * decoder) and with the stored profile:
 * - `stale`: the stored profile is out of date against the current facts and says otherwise;
 * - `optimistic`: a surface says more than the domain (logged as an error, product and context);
 * - `mismatch`: a surface says otherwise without saying more.
 * Nothing is decided here: the domain decides, surface-claims.ts compares.
 */
export async function auditTenantDrift(
  deps: DriftAuditDeps,
  tenant: string,
): Promise<DriftSummary> {
  const stores = deps.storesOf(tenant);
  const driftStore = deps.driftStore(tenant);
  const nowMs = deps.nowMs();
  const { ids, next } = await nextSample(stores, await driftStore.cursor(), deps.sample);
  const counts = new Map<string, number>();
  const optimistic: string[] = [];
  const found = (surface: string, kind: DriftKind) => {
    const key = `${surface}|${kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    deps.record(surface, kind);
  };
  let checked = 0;
  const policies = await deps.evaluation.policyIndex(stores.catalog);

  for (const context of deps.evaluation.contexts) {
    const [served, storedRaws] = await Promise.all([
      deps.profiles.currentPage(tenant, ids, context, nowMs),
      stores.profiles.readRaw(contextKey(context), ids),
    ]);
    ids.forEach((productId, i) => {
      const lookup = served[i];
      if (lookup?.product === undefined) return;
      checked += 1;
      const { product } = lookup;
      const domain =
        lookup.source === 'evaluated'
          ? lookup.profile
          : evaluateProduct(product, policies.index, context, nowMs, deps.evaluation.options);
      const storedRaw = storedRaws[i];
      if (lookup.source === 'evaluated' && storedRaw !== null && storedRaw !== undefined) {
        const stored = decodeProfile(productId, context, JSON.parse(storedRaw) as StoredProfile);
        if (disagreements({ claims: canonicalDecisions(stored) }, domain).length > 0)
          found(STORED_PROFILE, 'stale');
      }
      for (const surface of deps.surfaces) {
        const result = judge(surface, product, lookup.profile, domain, nowMs);
        if (result.kind === undefined) continue;
        found(surface.name, result.kind);
        if (result.kind === 'optimistic') {
          const said = result.found.filter((d) => d.kind === 'optimistic').map(describe);
          deps.logger.error(
            { tenant, productId, context, surface: surface.name, optimistic: said },
            'drift: a surface says more than the domain decided',
          );
          for (const line of said)
            if (optimistic.length < LISTED_OPTIMISTIC)
              optimistic.push(`${productId} ${contextLabel(context)} ${surface.name} ${line}`);
        } else if (result.error !== undefined) {
          deps.logger.warn(
            { tenant, productId, context, surface: surface.name, err: result.error },
            'drift: a surface could not be read back',
          );
        }
      }
    });
  }

  const summary: DriftSummary = {
    ranAt: toInstant(nowMs),
    products: ids.length,
    checked,
    counts: [...counts].map(([key, count]) => {
      const [surface, kind] = key.split('|') as [string, DriftKind];
      return { surface, kind, count };
    }),
    optimistic,
  };
  await driftStore.save(summary, next);
  return summary;
}

function contextLabel(context: EvaluationContext): string {
  return `${context.region}:${context.buyerType}:${context.channel}`;
}

/** One surface on one product: what it would say now against what the domain decides now. */
function judge(
  surface: AuditedSurface,
  product: ProductFacts,
  served: ProductActionProfile,
  domain: ProductActionProfile,
  nowMs: number,
): { kind?: DriftKind; found: Disagreement[]; error?: unknown } {
  try {
    const reading = surface.decode(surface.wire({ product, profile: served, nowMs }));
    const found = disagreements(reading, domain);
    const kind = kindOf(found);
    return kind === undefined ? { found } : { kind, found };
  } catch (error) {
    // A wire form its own decoder cannot read says nothing we can vouch for.
    return { kind: 'mismatch', found: [], error };
  }
}

/**
 * Every tenant in turn. One tenant's failure does not hide the others' drift: it is logged, the
 * rest are audited, and the run then fails so the job shows it.
 */
export async function auditDrift(deps: DriftAuditDeps): Promise<Record<string, DriftSummary>> {
  const out: Record<string, DriftSummary> = {};
  const failed: string[] = [];
  for (const tenant of deps.tenants) {
    try {
      out[tenant] = await auditTenantDrift(deps, tenant);
    } catch (error) {
      failed.push(tenant);
      deps.logger.error({ tenant, err: error }, 'drift audit failed for a tenant');
    }
  }
  if (failed.length > 0) throw new Error(`drift audit failed for ${failed.join(', ')}`);
  return out;
}
