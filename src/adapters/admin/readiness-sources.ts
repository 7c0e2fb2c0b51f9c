import type {
  BlockerCode,
  EvaluationContext,
  ProductActionProfile,
  Readiness,
  ReadinessEntry,
} from '../../domain/index.js';
import type { DriftSummary } from '../../store/drift-store.js';
import type { FeedSummary, OutboxSummary } from './readiness-page.js';

/** The counters of one context, as the evaluation jobs keep them. */
export interface ContextSummary {
  context: EvaluationContext;
  counts: Record<Readiness, number>;
  /** blocker code → products it holds back (partially ready or blocked), most first */
  codes: { code: BlockerCode; count: number }[];
}

export interface ReadinessOverview {
  /** one per configured evaluation context, in configured order */
  contexts: ContextSummary[];
  /** products in the catalog (some may not be evaluated yet) */
  products: number;
}

/** Which products the page lists: one context's state and blocker code, an id prefix, a page. */
export interface ReadinessListRequest {
  context: EvaluationContext;
  state?: Readiness;
  blocker?: BlockerCode;
  /** product id prefix */
  q?: string;
  after?: string;
  before?: string;
  limit: number;
}

/** One product, with its readiness in each configured context (null: no decision yet). */
export interface ReadinessRow {
  productId: string;
  cells: (ReadinessEntry | null)[];
}

export interface ReadinessListing {
  rows: ReadinessRow[];
  total: number;
  offset: number;
  hasNext: boolean;
}

/**
 * Where the readiness page reads from. Every source is the same store the agents' surfaces
 * read: the readiness counters and index the evaluation keeps with the stored profiles, the
 * profiles themselves, the outbox, the published feeds. The page never evaluates on its own.
 */
export interface ReadinessSources {
  overview(tenant: string): Promise<ReadinessOverview>;
  list(tenant: string, request: ReadinessListRequest): Promise<ReadinessListing>;
  storedProfile(
    tenant: string,
    productId: string,
    context: EvaluationContext,
  ): Promise<ProductActionProfile | undefined>;
  outbox?(tenant: string): Promise<OutboxSummary>;
  feeds?(tenant: string): Promise<FeedSummary[]>;
  /** The tenant's last drift audit; undefined before the first. */
  drift?(tenant: string): Promise<DriftSummary | undefined>;
  /** Resolves false when there is no such dead letter. */
  replayDeadLetter?(tenant: string, id: string): Promise<boolean>;
  /** Resolves false when there is no such feed. */
  publishFeed?(tenant: string, feed: string): Promise<boolean>;
  /** Releases what the sources opened (queues), when the server closes. */
  close?(): Promise<void>;
}
