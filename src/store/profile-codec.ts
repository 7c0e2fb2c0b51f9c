import {
  type Blocker,
  type BlockerCode,
  type BlockerParams,
  blocker,
  type CommerceAction,
  type CommerceDecision,
  type DecisionResult,
  type EvaluationContext,
  type EvidenceRef,
  type PolicyDomain,
  type ProductActionProfile,
  toInstant,
  toMs,
} from '../domain/index.js';

/**
 * The stored form of a ProductActionProfile. A profile as the domain returns it is ~6.7 KB of
 * JSON, mostly blocker sentences and repeated evidence ids; kept for every product in every
 * context that would be gigabytes. Stored, it keeps only what cannot be derived:
 * - blockers as [code, params]: the message and nextAction are re-filled from the BLOCKERS table,
 *   which is exactly how the domain built them (blocker(code, params));
 * - evidence once per profile in `x`, decisions pointing at it by index;
 * - evaluatedAt and rulesetVersion once per profile (every decision of one evaluation shares them).
 * `f` and `p` say which facts it was evaluated from, so a reader can tell it is out of date.
 * Decoding gives back a profile deep-equal to the domain's (test/store/profile-codec.test.ts).
 */
export interface StoredProfile {
  v: 1;
  /** evaluatedAt, ms */
  e: number;
  /** validUntil, ms; null when nothing it relied on expires */
  u: number | null;
  /** ruleset version */
  r: string;
  /** fingerprint of the product facts and evaluation options it was evaluated from */
  f: string;
  /** fingerprint of the policies that can apply to the product's category when evaluated */
  p: string;
  /** evidence table, `type|id` */
  x: string[];
  d: StoredDecision[];
}

type StoredBlocker = [BlockerCode] | [BlockerCode, BlockerParams];
/** [action, policyDomain or 0, result, blockers, warnings, evidence indexes, validUntil ms or 0] */
export type StoredDecision = [
  CommerceAction,
  PolicyDomain | 0,
  DecisionResult,
  StoredBlocker[],
  StoredBlocker[],
  number[],
  number,
];

function storeBlockers(blockers: readonly Blocker[]): StoredBlocker[] {
  return blockers.map((b) => (b.params === undefined ? [b.code] : [b.code, b.params]));
}

export function encodeProfile(
  profile: ProductActionProfile,
  fingerprint: string,
  policyFingerprint: string,
): StoredProfile {
  const table: string[] = [];
  const index = new Map<string, number>();
  const refIndex = (ref: EvidenceRef): number => {
    const key = `${ref.type}|${ref.id}`;
    let at = index.get(key);
    if (at === undefined) {
      at = table.length;
      table.push(key);
      index.set(key, at);
    }
    return at;
  };
  return {
    v: 1,
    e: toMs(profile.evaluatedAt),
    u: profile.validUntil === null ? null : toMs(profile.validUntil),
    r: profile.rulesetVersion,
    f: fingerprint,
    p: policyFingerprint,
    x: table,
    d: profile.decisions.map((decision) => [
      decision.action,
      decision.policyDomain ?? 0,
      decision.result,
      storeBlockers(decision.blockers),
      storeBlockers(decision.warnings),
      decision.evidenceRefs.map(refIndex),
      decision.validUntil === null ? 0 : toMs(decision.validUntil),
    ]),
  };
}

const evidenceCache = new Map<string, EvidenceRef>();
function evidenceOf(key: string): EvidenceRef {
  let ref = evidenceCache.get(key);
  if (ref === undefined) {
    const bar = key.indexOf('|');
    ref = { type: key.slice(0, bar) as EvidenceRef['type'], id: key.slice(bar + 1) };
    if (evidenceCache.size > 50_000) evidenceCache.clear();
    evidenceCache.set(key, ref);
  }
  return ref;
}

function loadBlockers(stored: readonly StoredBlocker[]): Blocker[] {
  return stored.map(([code, params]) => blocker(code, params));
}

export function decodeProfile(
  productId: string,
  context: EvaluationContext,
  stored: StoredProfile,
): ProductActionProfile {
  const evaluatedAt = toInstant(stored.e);
  const decisions = stored.d.map(
    ([action, domain, result, blockers, warnings, evidence, validUntil]) => {
      const decision: CommerceDecision = {
        action,
        result,
        allowed: result === 'allowed',
        blockers: loadBlockers(blockers),
        warnings: loadBlockers(warnings),
        evidenceRefs: evidence.map((at) => evidenceOf(stored.x[at] as string)),
        evaluatedAt,
        validUntil: validUntil === 0 ? null : toInstant(validUntil),
        rulesetVersion: stored.r,
      };
      if (domain !== 0) decision.policyDomain = domain;
      return decision;
    },
  );
  return {
    productId,
    context,
    rulesetVersion: stored.r,
    evaluatedAt,
    validUntil: stored.u === null ? null : toInstant(stored.u),
    decisions,
  };
}

/**
 * One string per decision that changes exactly when the decision means something else: result,
 * blockers, warnings, evidence or validity. evaluatedAt is left out, so re-evaluating unchanged
 * facts is not a change.
 */
export function decisionSignatures(stored: StoredProfile): Map<string, string> {
  const out = new Map<string, string>();
  for (const [action, domain, result, blockers, warnings, evidence, validUntil] of stored.d) {
    const refs = evidence.map((at) => stored.x[at]).join(',');
    out.set(
      `${action}/${domain || ''}`,
      `${result};${JSON.stringify(blockers)};${JSON.stringify(warnings)};${refs};${validUntil}`,
    );
  }
  return out;
}
