import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import {
  canonicalJson,
  contextKey,
  type DecisionResult,
  type EvaluationContext,
  type EvaluationOptions,
  evaluateProduct,
  type PolicyFact,
  PolicyIndex,
  type ProductFacts,
  RULESET_VERSION,
  readinessEntryOf,
} from '../domain/index.js';
import { CATALOG_QUEUE_NAMES, EvaluateProfilesPayloadSchema } from '../queues/catalog-queues.js';
import { enqueue } from '../queues/job-shell.js';
import type { AuditStore } from '../store/audit-store.js';
import type { CatalogStore } from '../store/catalog-store.js';
import type { EvaluationWorkStore } from '../store/evaluation-work-store.js';
import {
  decisionKey,
  encodeProfile,
  encodeProfileJson,
  msOf,
  type StoredDecision,
  type StoredProfile,
  sameDecision,
  storedReadiness,
} from '../store/profile-codec.js';
import type { EvaluationCommit, ProfileStore } from '../store/profile-store.js';

/** The stores of one tenant the evaluation reads and writes. */
export interface TenantStores {
  catalog: CatalogStore;
  profiles: ProfileStore;
  audit: AuditStore;
  work: EvaluationWorkStore;
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
}

/**
 * Fingerprint of what a profile was evaluated from besides policies: the stored product JSON,
 * the ruleset and the options. Equal fingerprints and policy version mean equal decisions until
 * the profile's validUntil, which is what lets readers trust a stored profile.
 */
export function factsFingerprint(rawProduct: string, options: EvaluationOptions): string {
  return createHash('sha1')
    .update(rawProduct)
    .update(`\n${RULESET_VERSION}\n${options.requiredPolicyDomains.join(',')}`)
    .digest('base64url')
    .slice(0, 20);
}

/**
 * The tenant's policies compiled for evaluation, with a fingerprint per category of the policies
 * that can apply to it (those naming the category or `*`). A policy change thus makes stale
 * exactly the profiles of the categories it touches, not the whole catalog.
 */
export class TenantPolicies {
  private readonly byCategory = new Map<string, string>();

  constructor(
    readonly version: number,
    private readonly policies: readonly PolicyFact[],
    readonly index: PolicyIndex = new PolicyIndex(policies),
  ) {}

  fingerprintFor(category: string): string {
    let found = this.byCategory.get(category);
    if (found === undefined) {
      const relevant = this.policies
        .filter(
          (p) => p.appliesTo.categories.includes('*') || p.appliesTo.categories.includes(category),
        )
        .map((p) => canonicalJson(p))
        .sort();
      found = createHash('sha1').update(relevant.join('\n')).digest('base64url').slice(0, 16);
      this.byCategory.set(category, found);
    }
    return found;
  }
}

/**
 * Whether a stored profile still says what the domain would decide at `nowMs`: evaluated from
 * the same facts, the same applicable policies and rules, and not past its validUntil. Decisions
 * only change with time at validUntil (the earliest expiry of what they relied on), so this is
 * exact.
 */
export function isCurrent(
  stored: StoredProfile,
  fingerprint: string,
  policyFingerprint: string,
  nowMs: number,
): boolean {
  return (
    stored.f === fingerprint &&
    stored.p === policyFingerprint &&
    stored.r === RULESET_VERSION &&
    (stored.u === null || nowMs < stored.u)
  );
}

/**
 * The audit value of one context, or undefined when no decision changed. A first evaluation
 * reuses the profile's JSON (every decision is new); later ones keep only what changed and the
 * results it replaced.
 */
function auditOf(
  old: StoredProfile | undefined,
  next: StoredProfile,
  nextJson: string,
): string | undefined {
  if (old === undefined) return nextJson;
  const before = new Map(old.d.map((decision) => [decisionKey(decision), decision]));
  const changed: StoredDecision[] = [];
  const previous: Record<string, DecisionResult> = {};
  for (const decision of next.d) {
    const key = decisionKey(decision);
    const was = before.get(key);
    if (was !== undefined && sameDecision(was, old, decision, next)) continue;
    changed.push(decision);
    if (was !== undefined) previous[key] = was[2];
  }
  if (changed.length === 0) return undefined;
  return JSON.stringify({ r: next.r, x: next.x, k: next.k, d: changed, b: previous });
}

/**
 * Products per read and MULTI within a batch: small enough that the batch's writes overlap the evaluation
 * of its next slice, large enough that a slice's per-MULTI commands (one HSET per context, the
 * ZADD) stay few against its per-product XADDs.
 */
export const COMMIT_SLICE = 100;

/** What a slice read before evaluating: per id, its facts and its stored profile per context. */
interface SliceRead {
  ids: readonly string[];
  raws: (string | null)[];
  previous: (string | null)[][];
}

/**
 * Counts decisions by `action|result` for EvaluationSettings.onDecisions. A batch makes thousands
 * of decisions, so they are counted per action and result in nested maps and the key strings are
 * built once per batch, not once per decision.
 */
class DecisionTally {
  private readonly byAction = new Map<string, Map<string, number>>();

  add(decisions: readonly { action: string; result: string }[]): void {
    for (let i = 0; i < decisions.length; i += 1) {
      const { action, result } = decisions[i] as { action: string; result: string };
      let byResult = this.byAction.get(action);
      if (byResult === undefined) {
        byResult = new Map();
        this.byAction.set(action, byResult);
      }
      byResult.set(result, (byResult.get(result) ?? 0) + 1);
    }
  }

  /** `action|result` → count, in the order first seen. */
  toMap(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [action, byResult] of this.byAction)
      for (const [result, count] of byResult) out.set(`${action}|${result}`, count);
    return out;
  }
}

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
    private readonly evaluateQueue: Queue,
  ) {
    this.contextKeys = settings.contexts.map(contextKey);
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
      this.evaluateQueue,
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
    let next = readSlice(0);
    const policies = await this.policyIndex(stores.catalog);
    const tally = this.settings.onDecisions ? new DecisionTally() : undefined;
    const sent: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    for (let from = 0; from < ids.length && failure === undefined; from += COMMIT_SLICE) {
      const read = await next;
      if (from + COMMIT_SLICE < ids.length) next = readSlice(from + COMMIT_SLICE);
      if (from > 0) {
        // Lets the event loop flush the previous slice's MULTI to the socket before computing on.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const commit: EvaluationCommit = {
        profiles: new Map(this.contextKeys.map((key) => [key, new Map<string, string | Buffer>()])),
        removed: [],
        due: new Map(),
        audit: [],
        readiness: [],
      };
      if (claimJobId !== undefined) commit.claim = { jobId: claimJobId, ids: read.ids };
      for (let i = 0; i < read.ids.length; i += 1)
        this.evaluateOne(i, read, policies, nowMs, commit, outcome, tally);
      sent.push(
        stores.profiles.commit(commit, stores.audit, this.contextKeys).catch((error: unknown) => {
          failure ??= { error };
        }),
      );
    }
    await Promise.all(sent);
    if (failure !== undefined) throw failure.error;
    const counted = tally?.toMap();
    if (counted !== undefined && counted.size > 0) this.settings.onDecisions?.(counted);
    return outcome;
  }

  /** Evaluates the product at `i` of a slice in every context and adds its writes to `commit`. */
  private evaluateOne(
    i: number,
    { ids, raws, previous }: SliceRead,
    policies: TenantPolicies,
    nowMs: number,
    commit: EvaluationCommit,
    outcome: BatchOutcome,
    tally: DecisionTally | undefined,
  ): void {
    const id = ids[i] as string;
    const raw = raws[i];
    if (raw === null || raw === undefined) {
      commit.removed.push(id);
      outcome.removed += 1;
      this.contextKeys.forEach((key, c) => {
        outcome.changedContexts.add(key);
        const before = previous[c]?.[i];
        // The profile goes, and with it the product's place in the readiness counters.
        if (before)
          commit.readiness?.push({
            productId: id,
            contextKey: key,
            before: storedReadiness(JSON.parse(before) as StoredProfile),
          });
      });
      return;
    }
    const product = JSON.parse(raw) as ProductFacts;
    const fingerprint = factsFingerprint(raw, this.settings.options);
    const policyFingerprint = policies.fingerprintFor(product.category);
    const audit = new Map<string, string | Buffer>();
    let dueMs: number | null = null;
    let evaluatedAt = '';
    this.settings.contexts.forEach((context, c) => {
      const key = this.contextKeys[c] as string;
      const before = previous[c]?.[i];
      const old = before ? (JSON.parse(before) as StoredProfile) : undefined;
      let validUntilMs: number | null;
      if (old !== undefined && isCurrent(old, fingerprint, policyFingerprint, nowMs)) {
        // Same facts, same policies, not expired: the domain would answer the same.
        outcome.skipped += 1;
        validUntilMs = old.u;
      } else {
        const profile = evaluateProduct(
          product,
          policies.index,
          context,
          nowMs,
          this.settings.options,
        );
        outcome.evaluations += 1;
        tally?.add(profile.decisions);
        // Its place in the readiness index, written even when unchanged (idempotent, and it
        // heals a product a lost write left out), leaving the code sets the old one was in.
        const after = readinessEntryOf(profile.decisions);
        commit.readiness?.push(
          old === undefined
            ? { productId: id, contextKey: key, after }
            : { productId: id, contextKey: key, after, before: storedReadiness(old) },
        );
        evaluatedAt = profile.evaluatedAt;
        validUntilMs = profile.validUntil === null ? null : msOf(profile.validUntil);
        const json = encodeProfileJson(profile, fingerprint, policyFingerprint);
        // Encoded to UTF-8 once: the profile and a first evaluation's audit write the same
        // bytes, and the MULTI is built from buffers instead of one long string per batch.
        const bytes = Buffer.from(json);
        commit.profiles.get(key)?.set(id, bytes);
        // A first evaluation changes every decision; later ones are diffed decision by decision.
        const changed =
          old === undefined
            ? bytes
            : auditOf(old, encodeProfile(profile, fingerprint, policyFingerprint), json);
        if (changed !== undefined) {
          outcome.changedContexts.add(key);
          audit.set(key, changed);
        }
      }
      if (validUntilMs !== null && (dueMs === null || validUntilMs < dueMs)) dueMs = validUntilMs;
    });
    commit.due.set(id, dueMs);
    if (audit.size > 0) {
      commit.audit.push({
        productId: id,
        entry: { evaluatedAt, rulesetVersion: RULESET_VERSION, contexts: audit },
      });
    }
  }
}
