import type { CommerceAction, DecisionResult } from './actions.js';
import type { BlockerCode } from './blockers.js';

/** How far a product is from being sold through agents, in one context. */
export const READINESS_STATES = ['ready', 'partially_ready', 'blocked'] as const;
export type Readiness = (typeof READINESS_STATES)[number];

/** What readiness looks at in one decision: its action, its result and its blocker codes. */
export interface DecisionOutcome {
  action: CommerceAction;
  result: DecisionResult;
  blockers: readonly { code: BlockerCode }[];
}

/**
 * Readiness as a table: the first row whose test holds names the state. Blocked when agents
 * cannot even discover the product, ready when every decision of the profile is allowed
 * (every policy domain quotable, checkout and delegated payment open), partially ready between.
 */
export const READINESS_RULES: readonly {
  state: Readiness;
  when: (decisions: readonly DecisionOutcome[]) => boolean;
}[] = [
  {
    state: 'blocked',
    when: (decisions) => !decisions.some((d) => d.action === 'discover' && d.result === 'allowed'),
  },
  { state: 'ready', when: (decisions) => decisions.every((d) => d.result === 'allowed') },
  { state: 'partially_ready', when: () => true },
];

/**
 * Codes that follow from another blocker rather than name work of their own (payment cannot be
 * delegated because checkout cannot be prepared): left out of remediation and of the page's
 * blocker filter.
 */
export const CONSEQUENCE_CODES: ReadonlySet<BlockerCode> = new Set<BlockerCode>([
  'CHECKOUT_NOT_READY',
  'AUTHORITY_CHECKED_PER_REQUEST',
]);

/** A profile's readiness in one context and the distinct blocker codes holding it back. */
export interface ReadinessEntry {
  state: Readiness;
  /** sorted, distinct, consequences left out */
  codes: BlockerCode[];
}

export function readinessOfDecisions(decisions: readonly DecisionOutcome[]): Readiness {
  for (const row of READINESS_RULES) if (row.when(decisions)) return row.state;
  return 'partially_ready';
}

export function readinessEntryOf(decisions: readonly DecisionOutcome[]): ReadinessEntry {
  const codes = new Set<BlockerCode>();
  for (const decision of decisions)
    for (const b of decision.blockers) if (!CONSEQUENCE_CODES.has(b.code)) codes.add(b.code);
  return { state: readinessOfDecisions(decisions), codes: [...codes].sort() };
}
