import {
  COMMERCE_ACTIONS,
  type CommerceAction,
  type DecisionResult,
  moreSevere,
} from '../actions.js';
import { type AuthorityRequest, evaluateAuthority } from '../authority.js';
import { type Blocker, type BlockerCode, type BlockerParams, blocker } from '../blockers.js';
import type { EvaluationContext } from '../context.js';
import type { CommerceDecision, EvidenceRef, ProductActionProfile } from '../decision.js';
import { POLICY_DOMAINS, type PolicyDomain, PolicyIndex } from '../policy.js';
import type { ProductFacts } from '../truth.js';
import { CHECKS } from './checks.js';
import { type EligibilityFacts, gatherFacts } from './facts.js';
import { instantOf } from './instants.js';
import { DEFAULT_SEVERITY, ELIGIBILITY_RULES, RULESET_VERSION, type RuleRow } from './rules.js';

export interface EvaluationOptions {
  /** Domains whose coverage quote_policy (overall) and prepare_checkout require. */
  requiredPolicyDomains: readonly PolicyDomain[];
}

export const DEFAULT_EVALUATION_OPTIONS: EvaluationOptions = {
  requiredPolicyDomains: ['returns', 'shipping'],
};

/**
 * Blockers are immutable values; the same code with the same params is built once, because a
 * catalog repeats the same few reasons thousands of times. The cache is a trie over code, then
 * each param's name and value in order, so a lookup builds no key string (that concatenation
 * was a tenth of evaluation time) and no two param sets can collide.
 */
interface BlockerNode {
  built?: Blocker;
  next?: Map<string | number, BlockerNode>;
}
const blockerRoots = new Map<BlockerCode, BlockerNode>();
let blockerCount = 0;

function child(node: BlockerNode, key: string | number): BlockerNode {
  node.next ??= new Map();
  let found = node.next.get(key);
  if (found === undefined) {
    found = {};
    node.next.set(key, found);
  }
  return found;
}

function cachedBlocker(code: BlockerCode, params: BlockerParams): Blocker {
  let node = blockerRoots.get(code);
  if (node === undefined) {
    node = {};
    blockerRoots.set(code, node);
  }
  for (const name in params) node = child(child(node, name), params[name] as string | number);
  if (node.built === undefined) {
    if (blockerCount >= 10_000) {
      blockerRoots.clear();
      blockerCount = 0;
      return cachedBlocker(code, params);
    }
    node.built = Object.freeze(blocker(code, params)) as Blocker;
    blockerCount++;
  }
  return node.built;
}

/** The rule citations, one frozen ref per action and per (action, domain), built at load. */
const NO_DOMAIN = 'all';
const RULE_REFS = {} as Record<CommerceAction, Record<string, EvidenceRef>>;
for (const action of COMMERCE_ACTIONS) {
  RULE_REFS[action] = {};
  for (const domain of [undefined, ...POLICY_DOMAINS]) {
    const id = `${RULESET_VERSION}/${action}${domain ? `/${domain}` : ''}`;
    RULE_REFS[action][domain ?? NO_DOMAIN] = Object.freeze({ type: 'eligibility_rule', id });
  }
}
function ruleRef(action: CommerceAction, domain?: PolicyDomain): EvidenceRef {
  return RULE_REFS[action][domain ?? NO_DOMAIN] as EvidenceRef;
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** Decision under construction; frozen into a CommerceDecision by `finish`. */
interface Draft {
  result: DecisionResult;
  blockers: Blocker[];
  warnings: Blocker[];
  evidence: EvidenceRef[];
  validUntilMs: number | null;
}

/**
 * Adds a blocker unless the same reason is already listed. Blockers are usually interned by
 * cachedBlocker, but the cache may be cleared between two rows, so equal words count as equal.
 */
function addReason(list: Blocker[], reason: Blocker): void {
  for (const had of list) {
    if (
      had === reason ||
      (had.code === reason.code &&
        had.message === reason.message &&
        had.nextAction === reason.nextAction)
    )
      return;
  }
  list.push(reason);
}

function runRows(
  rows: readonly RuleRow[],
  facts: EligibilityFacts,
  action: CommerceAction,
  domain?: PolicyDomain,
): Draft {
  const draft: Draft = {
    result: 'allowed',
    blockers: [],
    warnings: [],
    evidence: [ruleRef(action, domain)],
    validUntilMs: null,
  };
  for (const row of rows) {
    const seen = CHECKS[row.check](facts, domain);
    // Two rows may see the same fact (prepare_checkout's shippingNotRestricted and
    // policyCoverage both report a shipping exclusion): one reason, one citation.
    for (const ref of seen.evidence) {
      if (!draft.evidence.some((had) => had.id === ref.id && had.type === ref.type))
        draft.evidence.push(ref);
    }
    draft.validUntilMs = earliest(draft.validUntilMs, seen.validUntilMs);
    for (const finding of seen.findings) {
      const built = cachedBlocker(finding.code, finding.params);
      if (row.as === 'warning') {
        addReason(draft.warnings, built);
        continue;
      }
      addReason(draft.blockers, built);
      const severity = row.severity?.[finding.code] ?? DEFAULT_SEVERITY[finding.code] ?? 'blocked';
      draft.result = moreSevere(draft.result, severity);
    }
  }
  return draft;
}

function merge(into: Draft, from: Draft): void {
  into.result = moreSevere(into.result, from.result);
  for (const b of from.blockers) addReason(into.blockers, b);
  for (const w of from.warnings) addReason(into.warnings, w);
  for (const ref of from.evidence) if (!into.evidence.includes(ref)) into.evidence.push(ref);
  into.validUntilMs = earliest(into.validUntilMs, from.validUntilMs);
}

function finish(
  draft: Draft,
  action: CommerceAction,
  evaluatedAt: string,
  domain?: PolicyDomain,
): CommerceDecision {
  const decision: CommerceDecision = {
    action,
    result: draft.result,
    allowed: draft.result === 'allowed',
    blockers: draft.blockers,
    warnings: draft.warnings,
    evidenceRefs: draft.evidence,
    evaluatedAt,
    validUntil: draft.validUntilMs === null ? null : instantOf(draft.validUntilMs),
    rulesetVersion: RULESET_VERSION,
  };
  if (domain !== undefined) decision.policyDomain = domain;
  return decision;
}

/** delegate_payment: only on a checkout that can be prepared, and per request only with authority. */
function delegatePaymentDraft(prepare: Draft, authority: AuthorityRequest | undefined): Draft {
  const draft: Draft = {
    result: 'allowed',
    blockers: [],
    warnings: [],
    evidence: [ruleRef('delegate_payment')],
    validUntilMs: null,
  };
  if (prepare.result !== 'allowed') {
    // Whatever holds checkout back, payment cannot be delegated: the prepare reasons follow.
    draft.blockers.push(cachedBlocker('CHECKOUT_NOT_READY', {}));
    merge(draft, { ...prepare, warnings: [] });
    draft.result = 'blocked';
  } else {
    merge(draft, { ...prepare, warnings: [] });
  }
  if (authority === undefined) {
    draft.warnings.push(cachedBlocker('AUTHORITY_CHECKED_PER_REQUEST', {}));
    return draft;
  }
  const checked = evaluateAuthority(authority);
  merge(draft, {
    result: checked.result,
    blockers: checked.blockers,
    warnings: [],
    evidence: checked.evidenceRefs,
    validUntilMs: checked.validUntilMs,
  });
  return draft;
}

/**
 * Every decision for one product in one context at `now`: discover, compare, quote_policy
 * (overall over the required domains, then one per domain), add_to_cart, prepare_checkout,
 * delegate_payment. Pure: same input and now, same output.
 */
export function evaluateProduct(
  product: ProductFacts,
  policies: PolicyIndex,
  context: EvaluationContext,
  nowMs: number,
  options: EvaluationOptions = DEFAULT_EVALUATION_OPTIONS,
  authority?: AuthorityRequest,
): ProductActionProfile {
  const facts = gatherFacts(product, policies, context, nowMs, options.requiredPolicyDomains);
  const evaluatedAt = instantOf(nowMs);

  const byDomain = new Map<PolicyDomain, Draft>();
  for (const domain of POLICY_DOMAINS) {
    byDomain.set(domain, runRows(ELIGIBILITY_RULES.quote_policy, facts, 'quote_policy', domain));
  }
  const quoteOverall: Draft = {
    result: 'allowed',
    blockers: [],
    warnings: [],
    evidence: [ruleRef('quote_policy')],
    validUntilMs: null,
  };
  for (const domain of options.requiredPolicyDomains)
    merge(quoteOverall, byDomain.get(domain) as Draft);

  const prepare = runRows(ELIGIBILITY_RULES.prepare_checkout, facts, 'prepare_checkout');
  const decisions: CommerceDecision[] = [
    finish(runRows(ELIGIBILITY_RULES.discover, facts, 'discover'), 'discover', evaluatedAt),
    finish(runRows(ELIGIBILITY_RULES.compare, facts, 'compare'), 'compare', evaluatedAt),
    finish(quoteOverall, 'quote_policy', evaluatedAt),
  ];
  for (const domain of POLICY_DOMAINS) {
    decisions.push(finish(byDomain.get(domain) as Draft, 'quote_policy', evaluatedAt, domain));
  }
  decisions.push(
    finish(
      runRows(ELIGIBILITY_RULES.add_to_cart, facts, 'add_to_cart'),
      'add_to_cart',
      evaluatedAt,
    ),
    finish(prepare, 'prepare_checkout', evaluatedAt),
    finish(delegatePaymentDraft(prepare, authority), 'delegate_payment', evaluatedAt),
  );

  let profileValidUntil: string | null = null;
  for (const decision of decisions) {
    if (
      decision.validUntil !== null &&
      (profileValidUntil === null || decision.validUntil < profileValidUntil)
    ) {
      profileValidUntil = decision.validUntil;
    }
  }
  return {
    productId: product.id,
    context,
    rulesetVersion: RULESET_VERSION,
    evaluatedAt,
    validUntil: profileValidUntil,
    decisions,
  };
}

/** The profile of an id nobody has ingested: every action blocked with PRODUCT_UNKNOWN. */
export function unknownProductProfile(
  productId: string,
  context: EvaluationContext,
  nowMs: number,
): ProductActionProfile {
  const evaluatedAt = instantOf(nowMs);
  const unknown = cachedBlocker('PRODUCT_UNKNOWN', { productId });
  const decide = (action: CommerceAction, domain?: PolicyDomain): CommerceDecision =>
    finish(
      {
        result: 'blocked',
        blockers: [unknown],
        warnings: [],
        evidence: [ruleRef(action, domain)],
        validUntilMs: null,
      },
      action,
      evaluatedAt,
      domain,
    );
  return {
    productId,
    context,
    rulesetVersion: RULESET_VERSION,
    evaluatedAt,
    validUntil: null,
    decisions: [
      decide('discover'),
      decide('compare'),
      decide('quote_policy'),
      ...POLICY_DOMAINS.map((domain) => decide('quote_policy', domain)),
      decide('add_to_cart'),
      decide('prepare_checkout'),
      decide('delegate_payment'),
    ],
  };
}

/** The decision for one action (and domain) out of a profile. */
export function decisionFor(
  profile: ProductActionProfile,
  action: CommerceAction,
  domain?: PolicyDomain,
): CommerceDecision | undefined {
  return profile.decisions.find(
    (decision) => decision.action === action && decision.policyDomain === domain,
  );
}

export { PolicyIndex };
