import type { Blocker } from '../blockers.js';
import { toInstant } from '../time.js';
import type { TransitionDecision } from './record.js';

/**
 * Named questions about a checkout decision, so that services and routes translate a decision
 * without comparing its result or reading its blocker codes themselves.
 */

/** A decision with nothing against it: the transition needs no facts beyond its table row. */
export function allowedTransition(action: string, nowMs: number): TransitionDecision {
  return {
    action,
    result: 'allowed',
    blockers: [],
    evidenceRefs: [],
    evaluatedAt: toInstant(nowMs),
  };
}

export function refusedTransition(
  action: string,
  blockers: Blocker[],
  nowMs: number,
): TransitionDecision {
  return { action, result: 'blocked', blockers, evidenceRefs: [], evaluatedAt: toInstant(nowMs) };
}

/**
 * Refusals that report a race or a state the caller did not expect (HTTP 409), rather than a
 * blocked commercial decision (HTTP 422).
 */
const CONFLICT_CODES: ReadonlySet<Blocker['code']> = new Set([
  'CART_VERSION_CONFLICT',
  'ILLEGAL_TRANSITION',
]);

export function isConflictRefusal(decision: Pick<TransitionDecision, 'blockers'>): boolean {
  return decision.blockers.some((b) => CONFLICT_CODES.has(b.code));
}
