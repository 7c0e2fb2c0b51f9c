import { blocker } from '../blockers.js';
import type { TransitionDecision } from './record.js';
import { type CheckoutEvent, type CheckoutState, transitionVersioned } from './transitions.js';
import { refusedTransition } from './verdict.js';

/**
 * Whether a stored checkout may take a request at all, before its own decision: the caller's
 * expected version must be the stored one, and the request's event must be in the state's row
 * of the transition table.
 */
export type Admission =
  | { ok: true }
  | {
      ok: false;
      /** A stale version is a race to report, not an answer to keep for an Idempotency-Key. */
      race: boolean;
      decision: TransitionDecision;
    };

/** The refusal of a request that expected another version of the checkout. */
export function versionConflict(
  action: string,
  expectedVersion: number,
  currentVersion: number,
  nowMs: number,
): TransitionDecision {
  return refusedTransition(
    action,
    [blocker('CART_VERSION_CONFLICT', { expectedVersion, currentVersion })],
    nowMs,
  );
}

export function admitRequest(
  current: { state: CheckoutState; version: number },
  request: {
    action: string;
    event?: CheckoutEvent | undefined;
    expectedVersion?: number | undefined;
  },
  nowMs: number,
): Admission {
  const { action, event, expectedVersion } = request;
  // Operations outside the checkout's state machine (payment actions) check the version only.
  if (event === undefined) {
    return expectedVersion === undefined || expectedVersion === current.version
      ? { ok: true }
      : {
          ok: false,
          race: true,
          decision: versionConflict(action, expectedVersion, current.version, nowMs),
        };
  }
  const checked = transitionVersioned(current, event, expectedVersion);
  if (checked.ok) return { ok: true };
  if (checked.code === 'CART_VERSION_CONFLICT') {
    return {
      ok: false,
      race: true,
      decision: versionConflict(action, checked.expectedVersion, checked.currentVersion, nowMs),
    };
  }
  const allowed = checked.allowed.join(', ') || 'none';
  return {
    ok: false,
    race: false,
    decision: refusedTransition(
      action,
      [blocker('ILLEGAL_TRANSITION', { from: checked.from, event: checked.event, allowed })],
      nowMs,
    ),
  };
}
