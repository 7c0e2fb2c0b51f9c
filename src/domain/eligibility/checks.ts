import type { BlockerCode, BlockerParams } from '../blockers.js';
import { POLICY_MISSING_CODE } from '../blockers.js';
import type { EvidenceRef } from '../decision.js';
import type { PolicyDomain, PolicyResolution } from '../policy.js';
import type { EligibilityFacts } from './facts.js';
import { instantOf } from './instants.js';

export interface Finding {
  code: BlockerCode;
  params: BlockerParams;
}

/** What a check saw: what it found wrong, which facts it used, and until when they hold. */
export interface CheckOutcome {
  findings: readonly Finding[];
  evidence: readonly EvidenceRef[];
  /** ms until which what this check relied on stays valid; null when nothing it used expires. */
  validUntilMs: number | null;
}

const NOTHING: readonly never[] = Object.freeze([]);
const CLEAN: CheckOutcome = Object.freeze({
  findings: NOTHING,
  evidence: NOTHING,
  validUntilMs: null,
});

function outcome(
  findings: readonly Finding[],
  evidence: readonly EvidenceRef[],
  validUntilMs: number | null = null,
): CheckOutcome {
  return { findings, evidence, validUntilMs };
}

function categoryName(facts: EligibilityFacts): string {
  return facts.product.categoryName ?? facts.product.category;
}

/** Resolutions are memoised by the PolicyIndex, so their citations are built once each. */
const citations = new WeakMap<PolicyResolution, readonly EvidenceRef[]>();
function policyEvidence(resolution: PolicyResolution): readonly EvidenceRef[] {
  let refs = citations.get(resolution);
  if (refs === undefined) {
    refs =
      resolution.facts.length === 0
        ? NOTHING
        : Object.freeze(
            resolution.facts.map(
              (policy): EvidenceRef =>
                Object.freeze({ type: 'policy_fact', id: policy.evidenceId }),
            ),
          );
    citations.set(resolution, refs);
  }
  return refs;
}

function policyIds(resolution: PolicyResolution): string {
  return resolution.facts.map((policy) => policy.fact.id).join(', ');
}

/**
 * The finding for a policy domain's coverage, or none when covered. `quoting` adds the
 * quoteability condition: a fact may cover checkout without being quoteable to an agent.
 */
function policyFinding(
  domain: PolicyDomain,
  resolution: PolicyResolution,
  facts: EligibilityFacts,
  quoting: boolean,
): Finding | null {
  switch (resolution.outcome) {
    case 'covered':
      return quoting && !resolution.quoteable
        ? { code: 'POLICY_NOT_QUOTEABLE', params: { domain } }
        : null;
    case 'conflict':
      return { code: 'POLICY_CONFLICT', params: { domain, policyIds: policyIds(resolution) } };
    case 'pending_approval':
      return {
        code: 'POLICY_PENDING_APPROVAL',
        params: { domain, policyIds: policyIds(resolution) },
      };
    case 'region_restricted':
      return {
        code: 'REGION_RESTRICTED',
        params: { region: facts.context.region, category: categoryName(facts) },
      };
    case 'missing':
      return {
        code: POLICY_MISSING_CODE[domain],
        params: { category: categoryName(facts), region: facts.context.region },
      };
  }
}

function policyOutcome(
  facts: EligibilityFacts,
  domains: readonly PolicyDomain[],
  quoting: boolean,
): CheckOutcome {
  const findings: Finding[] = [];
  const evidence: EvidenceRef[] = [];
  let validUntilMs: number | null = null;
  for (const domain of domains) {
    const resolution = facts.policy(domain);
    const finding = policyFinding(domain, resolution, facts, quoting);
    if (finding !== null) findings.push(finding);
    for (const ref of policyEvidence(resolution)) evidence.push(ref);
    const edge = resolution.changesAtMs;
    if (edge !== null && (validUntilMs === null || edge < validUntilMs)) validUntilMs = edge;
  }
  return outcome(findings, evidence, validUntilMs);
}

/** A fact-backed check of a freshness-bearing fact (price, inventory). */
function freshnessOutcome(
  facts: EligibilityFacts,
  which: 'price' | 'inventory',
  missing: BlockerCode,
  stale: BlockerCode,
  extra: Finding | null,
): CheckOutcome {
  const state = facts[which];
  const ref = facts.truthRef(which);
  if (state.freshness === 'missing' || ref === undefined)
    return outcome([{ code: missing, params: {} }], NOTHING);
  const evidence: EvidenceRef[] = [ref];
  if (state.freshness === 'stale') {
    const findings: Finding[] = [
      { code: stale, params: { expiredAt: instantOf(state.expiresAtMs as number) } },
    ];
    if (extra !== null) findings.push(extra);
    return outcome(findings, evidence);
  }
  return outcome(extra === null ? NOTHING : [extra], evidence, state.expiresAtMs);
}

/**
 * The named checks the rule table refers to. Each is a pure function of gathered facts; the
 * table, not the check, says how severe a finding is for a given action.
 */
export const CHECKS = {
  productActive(facts: EligibilityFacts, _domain?: PolicyDomain): CheckOutcome {
    const { status } = facts.product;
    return status === 'active'
      ? CLEAN
      : outcome([{ code: 'PRODUCT_INACTIVE', params: { status } }], NOTHING);
  },

  priceFresh(facts: EligibilityFacts): CheckOutcome {
    return freshnessOutcome(facts, 'price', 'PRICE_MISSING', 'PRICE_STALE', null);
  },

  /** In stock by a fresh fact. A stale "out of stock" still says out of stock: staleness never helps. */
  inventoryAvailable(facts: EligibilityFacts): CheckOutcome {
    const out = facts.product.inventory?.status === 'out_of_stock';
    return freshnessOutcome(
      facts,
      'inventory',
      'INVENTORY_MISSING',
      'INVENTORY_STALE',
      out ? { code: 'OUT_OF_STOCK', params: {} } : null,
    );
  },

  shippingNotRestricted(facts: EligibilityFacts): CheckOutcome {
    const resolution = facts.policy('shipping');
    if (resolution.outcome !== 'region_restricted') return CLEAN;
    return outcome(
      [
        {
          code: 'REGION_RESTRICTED',
          params: { region: facts.context.region, category: categoryName(facts) },
        },
      ],
      policyEvidence(resolution),
      resolution.changesAtMs,
    );
  },

  /** Coverage for checkout: every required domain has one agreed, active fact. */
  policyCoverage(facts: EligibilityFacts): CheckOutcome {
    return policyOutcome(facts, facts.requiredPolicyDomains, false);
  },

  /** Quotation of one domain: covered, and quoteable to an agent. */
  policyQuotable(facts: EligibilityFacts, domain?: PolicyDomain): CheckOutcome {
    if (domain === undefined) throw new Error('policyQuotable needs a policy domain');
    return policyOutcome(facts, [domain], true);
  },

  generatedClaimsReviewed(facts: EligibilityFacts): CheckOutcome {
    const status = facts.product.generatedClaims?.status;
    if (status === 'pending_review')
      return outcome([{ code: 'GENERATED_CLAIMS_PENDING_REVIEW', params: {} }], NOTHING);
    if (status === 'blocked')
      return outcome([{ code: 'GENERATED_CLAIMS_BLOCKED', params: {} }], NOTHING);
    return CLEAN;
  },
} as const;

export type CheckName = keyof typeof CHECKS;
