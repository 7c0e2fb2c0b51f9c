import type { Queue } from 'bullmq';
import { contextKey, type EvaluationContext, type EvaluationOptions } from '../domain/index.js';
import { CATALOG_QUEUE_NAMES, EvaluateProfilesPayloadSchema } from '../queues/catalog-queues.js';
import { enqueue } from '../queues/job-shell.js';
import type { AuditStore } from '../store/audit-store.js';
import type { CatalogStore } from '../store/catalog-store.js';
import type { DecisionChangeStore } from '../store/decision-change-store.js';
import type { EvaluationWorkStore } from '../store/evaluation-work-store.js';
import type { EvaluationCommit, ProfileStore } from '../store/profile-store.js';
import { type SliceRead, type SliceResult, TenantPolicies } from './evaluate-slice.js';
import { type SliceEvaluator, sliceEvaluatorInline } from './evaluation-threads.js';

export { factsFingerprint, isCurrent, TenantPolicies } from './evaluate-slice.js';

/** The stores of one tenant the evaluation reads and writes. */
export interface TenantStores {
  catalog: CatalogStore;
  profiles: ProfileStore;
  audit: AuditStore;
  work: EvaluationWorkStore;
  /** The tenant's decision changes for subscribers; recorded only while it has subscriptions. */
  changes?: DecisionChangeStore;
}

export interface EvaluationSettings {
  contexts: readonly EvaluationContext[];
  options: EvaluationOptions;
  coalesceMs: number;
  /**
   * Told, once per batch, how many decisions the domain made by `action|result` (for the
   * decisions metric); tallied locally so the hot loop never touches the metrics registry.
   */
  onDecisions?(tally: ReadonlyMap<string, number>): void;
}

export interface BatchOutcome {
  /** products read (evaluated, kept as current, or removed) */
  products: number;
  /** product × context pairs the domain evaluated */
  evaluations: number;
  /** pairs whose stored profile was still current (same facts, policies, rules, not expired) */
  skipped: number;
  removed: number;
  /** context keys in which at least one profile changed */
  changedContexts: Set<string>;
  /** whether the batch's changed decisions went to the change stream (the tenant has subscribers) */
  recordedChanges: boolean;
}

/**
 * Products per read and MULTI within a batch: small enough that the batch's writes overlap the evaluation
 * of its next slice, large enough that a slice's per-MULTI commands (one HSET per context, the
 * ZADD) stay few against its per-product XADDs.
 */
export const COMMIT_SLICE = 100;

/** Slices read or computed ahead of the one being written. */
const SLICES_AHEAD = 3;

/**
 * Keeps product action profiles current: takes dirty product ids, asks the domain, writes the
 * profiles, the due times, the audit of changed decisions and the readiness index (each
 * product's state moved from what its previous profile said) in one MULTI per slice.
 * The service never decides; it only calls evaluateProduct with facts it gathered and `now`.
 */
export class EvaluationService {
  private readonly policyCache = new Map<string, TenantPolicies>();
  readonly contextKeys: readonly string[];

  constructor(
    private readonly settings: EvaluationSettings,
    /** The evaluation queue of a tenant's shard (EVALUATION_QUEUE_SHARDS). */
    private readonly evaluateQueueOf: (tenant: string) => Queue,
    /** Where slices are computed: an evaluation thread, or this thread. */
    private readonly slices: SliceEvaluator = sliceEvaluatorInline(settings),
  ) {
    this.contextKeys = settings.contexts.map(contextKey);
  }

  /** Stops the evaluation thread, if there is one. */
  close(): Promise<void> {
    return this.slices.close();
  }

  get contexts(): readonly EvaluationContext[] {
    return this.settings.contexts;
  }

  get options(): EvaluationOptions {
    return this.settings.options;
  }

  /**
   * Enqueues an evaluation of the tenant's dirty set. Deduplicated per tenant: while one is
   * waiting, more requests are absorbed by it; while one runs, one more is kept to run after
   * it (keepLastIfActive), so a burst of changes costs one or two jobs, never one per change.
   */
  async requestEvaluation(tenant: string, delayMs = this.settings.coalesceMs): Promise<void> {
    await enqueue(
      this.evaluateQueueOf(tenant),
      { queue: CATALOG_QUEUE_NAMES.evaluate, PayloadSchema: EvaluateProfilesPayloadSchema },
      'evaluate',
      { tenant },
      { delay: delayMs, deduplication: { id: `evaluate:${tenant}`, keepLastIfActive: true } },
    );
  }

  /** Cached per tenant and policy version: policies change rarely, batches run constantly. */
  async policyIndex(catalog: CatalogStore): Promise<TenantPolicies> {
    const cached = this.policyCache.get(catalog.tenant);
    const version = await catalog.policyVersion();
    if (cached !== undefined && cached.version === version) return cached;
    const read = await catalog.policiesWithVersion();
    const fresh = new TenantPolicies(read.version, read.policies);
    this.policyCache.set(catalog.tenant, fresh);
    return fresh;
  }

  /**
   * Evaluates `ids` in every configured context at `nowMs` and commits the result, slice by
   * slice: each slice's MULTI is sent as soon as it is built, and the next slice is computed
   * while Redis applies it, so the CPU of the evaluation and the I/O of the writes overlap
   * instead of following one another. A slice's MULTI also settles exactly its ids of the job's
   * claim (SREM), so whatever a crash leaves unwritten stays claimed and is taken by the retry;
   * once a write fails no further slice is sent.
   */
  async evaluateBatch(
    stores: TenantStores,
    ids: readonly string[],
    nowMs: number,
    claimJobId?: string,
  ): Promise<BatchOutcome> {
    const outcome: BatchOutcome = {
      products: ids.length,
      evaluations: 0,
      skipped: 0,
      removed: 0,
      changedContexts: new Set(),
      recordedChanges: false,
    };
    // Each slice's facts and stored profiles are read while the slice before it is computed.
    const readSlice = (from: number): Promise<SliceRead> => {
      const slice = ids.slice(from, from + COMMIT_SLICE);
      const reading = Promise.all([
        stores.catalog.getProductsRaw(slice),
        ...this.contextKeys.map((key) => stores.profiles.readRaw(key, slice)),
      ]).then(([raws, ...previous]) => ({ ids: slice, raws, previous }));
      // Awaited when its turn comes; marked handled now so a failure is not reported as unhandled.
      reading.catch(() => undefined);
      return reading;
    };
    const decisions = new Map<string, number>();
    const sent: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    // A computed slice's MULTI is built and sent while later slices are computed (on the
    // evaluation thread, when there is one), so the CPU of both overlaps.
    const write = (read: SliceRead, result: SliceResult) => {
      outcome.evaluations += result.outcome.evaluations;
      outcome.skipped += result.outcome.skipped;
      outcome.removed += result.outcome.removed;
      for (const key of result.outcome.changedContexts) outcome.changedContexts.add(key);
      for (const [key, count] of result.decisions)
        decisions.set(key, (decisions.get(key) ?? 0) + count);
      const commit: EvaluationCommit = { ...result.commit };
      if (claimJobId !== undefined) commit.claim = { jobId: claimJobId, ids: read.ids };
      if (changes !== undefined && commit.audit.length > 0) outcome.recordedChanges = true;
      sent.push(
        stores.profiles
          .commit(commit, stores.audit, this.contextKeys, changes)
          .catch((error: unknown) => {
            failure ??= { error };
          }),
      );
    };
    // Slices in flight: read, then computed as soon as read, written in order as computed. A
    // few ahead keep both the computing and Redis busy while the previous MULTI is written.
    const inFlight: { read: Promise<SliceRead>; result: Promise<SliceResult> }[] = [];
    let nextFrom = 0;
    const startSlice = () => {
      const read = readSlice(nextFrom);
      nextFrom += COMMIT_SLICE;
      const result = read.then((slice) =>
        this.slices.evaluate(stores.catalog.tenant, policies, slice, nowMs),
      );
      // Awaited in order below; marked handled now so one never awaited is not unhandled.
      result.catch(() => undefined);
      inFlight.push({ read, result });
    };
    // Read once per batch: a subscription stored during the batch hears from the next one.
    const [policies, recordChanges] = await Promise.all([
      this.policyIndex(stores.catalog),
      stores.changes?.active(nowMs) ?? false,
    ]);
    const changes = recordChanges ? stores.changes : undefined;
    while (nextFrom < ids.length && inFlight.length < SLICES_AHEAD) startSlice();
    while (inFlight.length > 0 && failure === undefined) {
      const slice = inFlight.shift() as (typeof inFlight)[number];
      const [read, result] = await Promise.all([slice.read, slice.result]);
      if (nextFrom < ids.length) startSlice();
      write(read, result);
    }
    await Promise.all(sent);
    if (failure !== undefined) throw failure.error;
    if (decisions.size > 0) this.settings.onDecisions?.(decisions);
    return outcome;
  }
}
