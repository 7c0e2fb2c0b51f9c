/**
 * The data the readiness service returns (src/services/readiness-sources.ts) and the operator
 * page renders (src/adapters/admin): defined here so the adapter imports the service's types,
 * never the reverse.
 */
import type {
  BlockerCode,
  DriftSummary,
  EvaluationContext,
  ProductActionProfile,
  Readiness,
  ReadinessEntry,
} from '../domain/index.js';

/** What the outbox holds for one tenant, as the readiness page shows it. */
export interface OutboxSummary {
  due: number;
  inFlight: number;
  deadLettered: number;
  oldestDueAgeSeconds: number | null;
  deadLetters: { id: string; effect: string; lastError: string; failedAt: string }[];
  /** Effects whose attempts ran out and that have had no answer since. */
  exhausted: number;
  /** The longest-waiting of them: retried on the long schedule (`nextRoundAt`) or dead-lettered. */
  exhaustedEffects: { id: string; effect: string; since: string; nextRoundAt: string | null }[];
}

/**
 * A tenant's product subscriptions and the decision events on their way to them (issue 18): the
 * change-stream entries the projector has not turned into events yet, the events waiting in the
 * outbox, and those dead-lettered.
 */
export interface SubscriptionsSummary {
  subscriptions: number;
  /** change-stream entries (one per evaluation step that changed decisions) not yet projected */
  unprojected: number;
  oldestUnprojectedAgeSeconds: number | null;
  /** decision events pending in the outbox (due now, being sent, or waiting for a retry) */
  undelivered: number;
  /** age of the oldest of them that is due now */
  oldestUndeliveredAgeSeconds: number | null;
  deadLettered: number;
  /** the older of the two ages: how far behind the decisions the subscribers are; null: none */
  lagSeconds: number | null;
  /** false when the outbox counts stopped at their scan bound (they are lower bounds then) */
  complete: boolean;
}

export interface FeedSummary {
  name: string;
  lastPublishedAt: string | null;
  ageSeconds: number | null;
  count: number | null;
}

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
 * profiles themselves, the outbox, the published feeds, the subscriptions and their change
 * stream. The page never evaluates on its own.
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
  subscriptions?(tenant: string): Promise<SubscriptionsSummary>;
  /** The tenant's last drift audit; undefined before the first. */
  drift?(tenant: string): Promise<DriftSummary | undefined>;
  /** Resolves false when there is no such dead letter. */
  replayDeadLetter?(tenant: string, id: string): Promise<boolean>;
  /** Resolves false when there is no such feed. */
  publishFeed?(tenant: string, feed: string): Promise<boolean>;
  /** Releases what the sources opened (queues), when the server closes. */
  close?(): Promise<void>;
}
