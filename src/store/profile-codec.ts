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
  type ReadinessEntry,
  readinessEntryOf,
  toInstant,
  toMs,
} from '../domain/index.js';

/**
 * The stored form of a ProductActionProfile. A profile as the domain returns it is ~6.7 KB of
 * JSON, mostly blocker sentences and repeated evidence ids; kept for every product in every
 * context that would be gigabytes. Stored, it keeps only what cannot be derived:
 * - blockers as [code, params], once per profile in `k`: the message and nextAction are re-filled
 *   from the BLOCKERS table, which is exactly how the domain built them (blocker(code, params));
 * - evidence once per profile in `x` (type abbreviated, the ruleset prefix of rule ids elided);
 * - decisions pointing into `k` and `x` by index;
 * - evaluatedAt and rulesetVersion once per profile (every decision of one evaluation shares them).
 * `f` and `p` say which facts it was evaluated from, so a reader can tell it is out of date.
 * Decoding gives back a profile deep-equal to the domain's (test/store/profile-codec.test.ts).
 */
export interface StoredProfile {
  v: 2;
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
  /** evidence table, see evidenceKey */
  x: string[];
  /** blocker table: [code] or [code, params] */
  k: StoredBlocker[];
  d: StoredDecision[];
}

export type StoredBlocker = [BlockerCode] | [BlockerCode, BlockerParams];
/**
 * [action, policyDomain or 0, result, blocker indexes, warning indexes, evidence indexes,
 * validUntil ms or 0]
 */
export type StoredDecision = [
  CommerceAction,
  PolicyDomain | 0,
  DecisionResult,
  number[],
  number[],
  number[],
  number,
];

/** One letter per evidence type; letters are only ever added. */
const TYPE_LETTER: Readonly<Record<EvidenceRef['type'], string>> = {
  commercial_truth: 't',
  policy_fact: 'p',
  eligibility_rule: 'r',
  authority_record: 'a',
  checkout_state: 'c',
  audit_event: 'e',
};
const LETTER_TYPE = new Map(
  Object.entries(TYPE_LETTER).map(([type, letter]) => [letter, type as EvidenceRef['type']]),
);

/** `r~discover` for rule `<ruleset>/discover`, `t<id>` for a truth fact, and so on. */
function evidenceKey(ref: EvidenceRef, ruleset: string): string {
  const letter = TYPE_LETTER[ref.type];
  if (ref.type === 'eligibility_rule' && ref.id.startsWith(`${ruleset}/`))
    return `${letter}~${ref.id.slice(ruleset.length + 1)}`;
  return `${letter}${ref.id}`;
}

export function evidenceOfKey(key: string, ruleset: string): EvidenceRef {
  const type = LETTER_TYPE.get(key[0] as string) as EvidenceRef['type'];
  const rest = key.slice(1);
  if (type === 'eligibility_rule' && rest.startsWith('~'))
    return { type, id: `${ruleset}/${rest.slice(1)}` };
  return { type, id: rest };
}

export function encodeProfile(
  profile: ProductActionProfile,
  fingerprint: string,
  policyFingerprint: string,
): StoredProfile {
  const ruleset = profile.rulesetVersion;
  const table: string[] = [];
  const index = new Map<string, number>();
  const refIndex = (ref: EvidenceRef): number => {
    const key = evidenceKey(ref, ruleset);
    let at = index.get(key);
    if (at === undefined) {
      at = table.length;
      table.push(key);
      index.set(key, at);
    }
    return at;
  };
  const blockers: StoredBlocker[] = [];
  const blockerIndex = new Map<Blocker, number>();
  const blockerAt = (b: Blocker): number => {
    // The domain shares blocker objects for equal reasons, so identity finds most repeats.
    let at = blockerIndex.get(b);
    if (at === undefined) {
      at = blockers.length;
      blockers.push(b.params === undefined ? [b.code] : [b.code, b.params]);
      blockerIndex.set(b, at);
    }
    return at;
  };
  return {
    v: 2,
    e: msOf(profile.evaluatedAt),
    u: profile.validUntil === null ? null : msOf(profile.validUntil),
    r: profile.rulesetVersion,
    f: fingerprint,
    p: policyFingerprint,
    x: table,
    k: blockers,
    d: profile.decisions.map((decision) => [
      decision.action,
      decision.policyDomain ?? 0,
      decision.result,
      decision.blockers.map(blockerAt),
      decision.warnings.map(blockerAt),
      decision.evidenceRefs.map(refIndex),
      decision.validUntil === null ? 0 : msOf(decision.validUntil),
    ]),
  };
}

/**
 * The JSON text of encodeProfile's result, written in one pass: exactly the bytes
 * `JSON.stringify(encodeProfile(profile, fingerprint, policyFingerprint))` gives (pinned by
 * test/store/profile-codec.test.ts), at a fraction of the cost, because the evaluation writes
 * one per product and context. Blockers and rule citations are values the domain builds once and
 * shares (frozen), so their JSON is kept per object; anything else is encoded as it comes.
 */
export function encodeProfileJson(
  profile: ProductActionProfile,
  fingerprint: string,
  policyFingerprint: string,
): string {
  const ruleset = profile.rulesetVersion;
  const evidenceAt = new Map<EvidenceRef, number>();
  const keyAt = new Map<string, number>();
  let evidence = '';
  const blockerAt = new Map<Blocker, number>();
  let blockers = '';
  let decisions = '';
  for (let d = 0; d < profile.decisions.length; d += 1) {
    const decision = profile.decisions[d] as CommerceDecision;
    let indexes = '';
    for (let i = 0; i < decision.evidenceRefs.length; i += 1) {
      const ref = decision.evidenceRefs[i] as EvidenceRef;
      let at = evidenceAt.get(ref);
      if (at === undefined) {
        const entry = evidenceJsonOf(ref, ruleset);
        at = keyAt.get(entry.key);
        if (at === undefined) {
          at = keyAt.size;
          keyAt.set(entry.key, at);
          evidence += at === 0 ? entry.json : `,${entry.json}`;
        }
        evidenceAt.set(ref, at);
      }
      indexes += i === 0 ? at : `,${at}`;
    }
    let blockerIndexes = '';
    let warningIndexes = '';
    for (let w = 0; w < 2; w += 1) {
      const list = w === 0 ? decision.blockers : decision.warnings;
      let text = '';
      for (let i = 0; i < list.length; i += 1) {
        const b = list[i] as Blocker;
        // Identity, as encodeProfile: the domain shares blocker objects for equal reasons.
        let at = blockerAt.get(b);
        if (at === undefined) {
          at = blockerAt.size;
          blockerAt.set(b, at);
          const json = storedBlockerJsonOf(b);
          blockers += at === 0 ? json : `,${json}`;
        }
        text += i === 0 ? at : `,${at}`;
      }
      if (w === 0) blockerIndexes = text;
      else warningIndexes = text;
    }
    const domain = decision.policyDomain === undefined ? '0' : `"${decision.policyDomain}"`;
    const validUntil = decision.validUntil === null ? 0 : msOf(decision.validUntil);
    decisions +=
      `${d === 0 ? '' : ','}["${decision.action}",${domain},"${decision.result}",` +
      `[${blockerIndexes}],[${warningIndexes}],[${indexes}],${validUntil}]`;
  }
  const validUntil = profile.validUntil === null ? 'null' : msOf(profile.validUntil);
  return (
    `{"v":2,"e":${msOf(profile.evaluatedAt)},"u":${validUntil},"r":${JSON.stringify(ruleset)},` +
    `"f":${JSON.stringify(fingerprint)},"p":${JSON.stringify(policyFingerprint)},` +
    `"x":[${evidence}],"k":[${blockers}],"d":[${decisions}]}`
  );
}

interface EvidenceJson {
  ruleset: string;
  key: string;
  json: string;
}
const evidenceJson = new WeakMap<EvidenceRef, EvidenceJson>();
function evidenceJsonOf(ref: EvidenceRef, ruleset: string): EvidenceJson {
  const shared = Object.isFrozen(ref);
  let found = shared ? evidenceJson.get(ref) : undefined;
  if (found === undefined || found.ruleset !== ruleset) {
    const key = evidenceKey(ref, ruleset);
    found = { ruleset, key, json: JSON.stringify(key) };
    if (shared) evidenceJson.set(ref, found);
  }
  return found;
}

const blockerJson = new WeakMap<Blocker, string>();
function storedBlockerJsonOf(b: Blocker): string {
  const shared = Object.isFrozen(b);
  let found = shared ? blockerJson.get(b) : undefined;
  if (found === undefined) {
    found = JSON.stringify(b.params === undefined ? [b.code] : [b.code, b.params]);
    if (shared) blockerJson.set(b, found);
  }
  return found;
}

/**
 * Evidence refs repeat across a catalog (rule and policy citations) or at least within a profile
 * (a truth fact cited by several decisions), so each stored key is decoded once: per ruleset,
 * key → ref. Refs are immutable values, as in the domain's own cache.
 */
const evidenceCache = new Map<string, Map<string, EvidenceRef>>();
let evidenceCached = 0;
function evidenceOf(key: string, ruleset: string): EvidenceRef {
  let byKey = evidenceCache.get(ruleset);
  if (byKey === undefined) {
    byKey = new Map();
    evidenceCache.set(ruleset, byKey);
  }
  let ref = byKey.get(key);
  if (ref === undefined) {
    ref = evidenceOfKey(key, ruleset);
    if (evidenceCached >= 50_000) {
      evidenceCache.clear();
      evidenceCached = 0;
      evidenceCache.set(ruleset, byKey);
      byKey.clear();
    }
    byKey.set(key, ref);
    evidenceCached += 1;
  }
  return ref;
}

/**
 * Blockers and instants repeat across a catalog (the same few reasons, the same evaluation
 * time), so decoding reuses them; both are immutable values, as in the domain's own cache.
 */
const blockerCache = new Map<string, Blocker>();
function loadBlocker(code: BlockerCode, params: BlockerParams | undefined): Blocker {
  const key = params === undefined ? code : `${code}${JSON.stringify(params)}`;
  let found = blockerCache.get(key);
  if (found === undefined) {
    found = Object.freeze(blocker(code, params)) as Blocker;
    if (blockerCache.size > 10_000) blockerCache.clear();
    blockerCache.set(key, found);
  }
  return found;
}

function loadBlockers(table: readonly Blocker[], at: readonly number[]): Blocker[] {
  if (at.length === 0) return [];
  const out = new Array<Blocker>(at.length);
  for (let i = 0; i < at.length; i += 1) out[i] = table[at[i] as number] as Blocker;
  return out;
}

const instantCache = new Map<number, string>();
function instantOf(ms: number): string {
  let found = instantCache.get(ms);
  if (found === undefined) {
    found = toInstant(ms);
    if (instantCache.size > 10_000) instantCache.clear();
    instantCache.set(ms, found);
  }
  return found;
}

const msCache = new Map<string, number>();
/**
 * toMs, remembered per instant: one evaluation's profiles share a few instants (evaluatedAt,
 * the earliest expiries), and Date.parse is the dearer half of reading one.
 */
export function msOf(instant: string): number {
  let found = msCache.get(instant);
  if (found === undefined) {
    found = toMs(instant);
    if (msCache.size > 10_000) msCache.clear();
    msCache.set(instant, found);
  }
  return found;
}

export function decodeProfile(
  productId: string,
  context: EvaluationContext,
  stored: StoredProfile,
): ProductActionProfile {
  const evaluatedAt = instantOf(stored.e);
  // Each table entry is decoded once per profile; decisions index into the decoded tables.
  const blockers = stored.k.map(([code, params]) => loadBlocker(code, params));
  const refs = stored.x.map((key) => evidenceOf(key, stored.r));
  const decisions = stored.d.map(
    ([action, domain, result, blockerAt, warningAt, evidenceAt, validUntil]) => {
      const evidenceRefs = new Array<EvidenceRef>(evidenceAt.length);
      for (let i = 0; i < evidenceAt.length; i += 1)
        evidenceRefs[i] = refs[evidenceAt[i] as number] as EvidenceRef;
      const decision: CommerceDecision = {
        action,
        result,
        allowed: result === 'allowed',
        blockers: loadBlockers(blockers, blockerAt),
        warnings: loadBlockers(blockers, warningAt),
        evidenceRefs,
        evaluatedAt,
        validUntil: validUntil === 0 ? null : instantOf(validUntil),
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
    validUntil: stored.u === null ? null : instantOf(stored.u),
    decisions,
  };
}

function sameBlockers(
  a: readonly number[],
  aTable: readonly StoredBlocker[],
  b: readonly number[],
  bTable: readonly StoredBlocker[],
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    const [codeA, paramsA] = aTable[a[i] as number] as StoredBlocker;
    const [codeB, paramsB] = bTable[b[i] as number] as StoredBlocker;
    if (codeA !== codeB || JSON.stringify(paramsA) !== JSON.stringify(paramsB)) return false;
  }
  return true;
}

/** Key of a decision within a profile: action and policy domain. */
export function decisionKey(decision: StoredDecision): string {
  return `${decision[0]}/${decision[1] || ''}`;
}

/**
 * Whether two stored decisions mean the same: result, blockers, warnings, evidence and validity.
 * evaluatedAt is not part of it, so re-evaluating unchanged facts is not a change.
 */
export function sameDecision(
  a: StoredDecision,
  aProfile: Pick<StoredProfile, 'x' | 'k' | 'r'>,
  b: StoredDecision,
  bProfile: Pick<StoredProfile, 'x' | 'k' | 'r'>,
): boolean {
  if (a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2] || a[6] !== b[6]) return false;
  if (aProfile.r !== bProfile.r || a[5].length !== b[5].length) return false;
  for (let i = 0; i < a[5].length; i += 1)
    if (aProfile.x[a[5][i] as number] !== bProfile.x[b[5][i] as number]) return false;
  return (
    sameBlockers(a[3], aProfile.k, b[3], bProfile.k) &&
    sameBlockers(a[4], aProfile.k, b[4], bProfile.k)
  );
}

/**
 * The readiness a stored profile was counted under (domain/readiness.ts, on its decisions'
 * results and blocker codes), without decoding the rest of it.
 */
export function storedReadiness(stored: Pick<StoredProfile, 'd' | 'k'>): ReadinessEntry {
  return readinessEntryOf(
    stored.d.map(([action, , result, blockerAt]) => ({
      action,
      result,
      blockers: blockerAt.map((at) => ({ code: (stored.k[at] as StoredBlocker)[0] })),
    })),
  );
}
