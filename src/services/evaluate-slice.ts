import { createHash } from 'node:crypto';
import {
  canonicalJson,
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
import type { EvaluationCommit } from '../store/profile-store.js';

/**
 * One slice of an evaluation batch, decided and encoded: what the evaluation service writes for
 * it, computed from what it read. Pure (no I/O, `now` given), so it runs the same on the main
 * thread or on an evaluation thread (evaluation-thread.ts), which is where the batch's CPU goes
 * while the main thread reads the next slice and writes the last.
 */

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
    readonly policies: readonly PolicyFact[],
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
  stored: Pick<StoredProfile, 'f' | 'p' | 'r' | 'u'>,
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

/** What a slice read before evaluating: per id, its facts and its stored profile per context. */
export interface SliceRead {
  ids: readonly string[];
  raws: (string | null)[];
  previous: (string | null)[][];
}

export interface SliceSettings {
  contexts: readonly EvaluationContext[];
  options: EvaluationOptions;
}

/** A slice's writes: the evaluation commit but for the claim, which the batch adds. */
export type SliceCommit = Omit<EvaluationCommit, 'claim'> & {
  readiness: NonNullable<EvaluationCommit['readiness']>;
};

export interface SliceOutcome {
  /** product × context pairs the domain evaluated */
  evaluations: number;
  /** pairs whose stored profile was still current */
  skipped: number;
  removed: number;
  /** context keys in which at least one profile changed */
  changedContexts: Set<string>;
}

export interface SliceResult {
  commit: SliceCommit;
  outcome: SliceOutcome;
  /** decisions the domain made, by `action|result` */
  decisions: Map<string, number>;
}

/** Evaluates every product of a slice in every context at `nowMs`. */
export function evaluateSlice(
  read: SliceRead,
  policies: TenantPolicies,
  nowMs: number,
  settings: SliceSettings,
  contextKeys: readonly string[],
): SliceResult {
  const commit: SliceCommit = {
    profiles: new Map(contextKeys.map((key) => [key, new Map<string, string | Buffer>()])),
    removed: [],
    due: new Map(),
    audit: [],
    readiness: [],
  };
  const outcome: SliceOutcome = {
    evaluations: 0,
    skipped: 0,
    removed: 0,
    changedContexts: new Set(),
  };
  const tally = new DecisionTally();
  for (let i = 0; i < read.ids.length; i += 1)
    evaluateOne(i, read, policies, nowMs, settings, contextKeys, commit, outcome, tally);
  return { commit, outcome, decisions: tally.toMap() };
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

/** Evaluates the product at `i` of a slice in every context and adds its writes to `commit`. */
function evaluateOne(
  i: number,
  { ids, raws, previous }: SliceRead,
  policies: TenantPolicies,
  nowMs: number,
  settings: SliceSettings,
  contextKeys: readonly string[],
  commit: SliceCommit,
  outcome: SliceOutcome,
  tally: DecisionTally,
): void {
  const id = ids[i] as string;
  const raw = raws[i];
  if (raw === null || raw === undefined) {
    commit.removed.push(id);
    outcome.removed += 1;
    contextKeys.forEach((key, c) => {
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
  const fingerprint = factsFingerprint(raw, settings.options);
  const policyFingerprint = policies.fingerprintFor(product.category);
  const audit = new Map<string, string | Buffer>();
  let dueMs: number | null = null;
  let evaluatedAt = '';
  settings.contexts.forEach((context, c) => {
    const key = contextKeys[c] as string;
    const before = previous[c]?.[i];
    const old = before ? (JSON.parse(before) as StoredProfile) : undefined;
    let validUntilMs: number | null;
    if (old !== undefined && isCurrent(old, fingerprint, policyFingerprint, nowMs)) {
      // Same facts, same policies, not expired: the domain would answer the same.
      outcome.skipped += 1;
      validUntilMs = old.u;
    } else {
      const profile = evaluateProduct(product, policies.index, context, nowMs, settings.options);
      outcome.evaluations += 1;
      tally.add(profile.decisions);
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
