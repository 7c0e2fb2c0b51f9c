import {
  contextKey,
  type EvaluationContext,
  type ProductActionProfile,
  type Readiness,
  type RemediationView,
  readinessOf,
  remediationOf,
} from '../../domain/index.js';

/** What the readiness page shows; built only from stored decisions, never recomputed here. */
export interface ReadinessSummaryRow {
  context: EvaluationContext;
  counts: Record<Readiness, number>;
}

export interface ProductReadinessRow {
  productId: string;
  context: EvaluationContext;
  readiness: Readiness;
  blockerCodes: string[];
}

export interface ReadinessSummary {
  rows: ReadinessSummaryRow[];
  products: ProductReadinessRow[];
}

/** Counts per context, and a row per (product, context), from a stream of stored profiles. */
export async function summarize(
  profiles: AsyncIterable<ProductActionProfile>,
  productLimit = 200,
): Promise<ReadinessSummary> {
  const byContext = new Map<string, ReadinessSummaryRow>();
  const products: ProductReadinessRow[] = [];
  for await (const profile of profiles) {
    const key = contextKey(profile.context);
    let row = byContext.get(key);
    if (row === undefined) {
      row = { context: profile.context, counts: { ready: 0, partially_ready: 0, blocked: 0 } };
      byContext.set(key, row);
    }
    const readiness = readinessOf(profile);
    row.counts[readiness] += 1;
    if (products.length < productLimit) {
      const codes = new Set(
        profile.decisions.flatMap((decision) => decision.blockers.map((b) => b.code)),
      );
      products.push({
        productId: profile.productId,
        context: profile.context,
        readiness,
        blockerCodes: [...codes],
      });
    }
  }
  const rows = [...byContext.values()].sort((a, b) =>
    contextKey(a.context).localeCompare(contextKey(b.context)),
  );
  return { rows, products };
}

export function productDetail(profile: ProductActionProfile): RemediationView {
  return remediationOf(profile);
}
