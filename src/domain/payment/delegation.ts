import { type DecisionResult, mostSevere } from '../actions.js';
import type { Mandate } from '../authority.js';
import { type Blocker, type BlockerCode, type BlockerParams, blocker } from '../blockers.js';
import type { EvidenceRef } from '../decision.js';
import { toInstant, toMs } from '../time.js';

/**
 * Delegating a payment instrument under a mandate: may a token be minted that lets this merchant
 * charge the instrument within the mandate's limits? Judged when the token is asked for, on the
 * mandate alone (the checkout it is bound to is judged again by the authority checks when the
 * payment starts).
 */

/** What a risk assessor recommends for the instrument; protocol words are mapped at the edge. */
export const RISK_RECOMMENDATIONS = ['allow', 'review', 'block'] as const;
export type RiskRecommendation = (typeof RISK_RECOMMENDATIONS)[number];

export interface RiskAssessment {
  /** What kind of risk was assessed (e.g. card testing), named in the blocker. */
  kind: string;
  recommendation: RiskRecommendation;
}

export interface DelegationRequest {
  mandate: Mandate;
  /** The instrument's last valid month (1–12) and year, when it has an expiry. */
  instrumentExpiry?: { month: number; year: number };
  risk: readonly RiskAssessment[];
  nowMs: number;
  /** How far ahead a mandate may expire: a token outliving it would be a standing credential. */
  maxLifetimeMs: number;
}

interface DelegationCheck {
  code: BlockerCode;
  severity: DecisionResult;
  /** Params for the blocker message when the check fails; undefined when it passes. */
  fails(request: DelegationRequest): BlockerParams | undefined;
}

const pass = undefined;

/** The first instant after the instrument's last valid month (UTC). */
export function instrumentExpiresAtMs(expiry: { month: number; year: number }): number {
  return Date.UTC(expiry.year, expiry.month, 1);
}

/** The delegation checks as data: each row is one named condition over the request. */
export const DELEGATION_CHECKS: readonly DelegationCheck[] = [
  {
    code: 'MANDATE_AMOUNT_NOT_POSITIVE',
    severity: 'blocked',
    fails: ({ mandate }) =>
      mandate.maxAmount.amount <= 0 ? { maxAmount: mandate.maxAmount.amount } : pass,
  },
  {
    code: 'MANDATE_EXPIRED',
    severity: 'blocked',
    fails: ({ mandate, nowMs }) =>
      toMs(mandate.expiresAt) <= nowMs ? { expiresAt: mandate.expiresAt } : pass,
  },
  {
    code: 'MANDATE_REVOKED',
    severity: 'blocked',
    fails: ({ mandate, nowMs }) =>
      mandate.revokedAt != null && toMs(mandate.revokedAt) <= nowMs ? {} : pass,
  },
  {
    code: 'MANDATE_LIFETIME_TOO_LONG',
    severity: 'blocked',
    fails: ({ mandate, nowMs, maxLifetimeMs }) =>
      toMs(mandate.expiresAt) > nowMs + maxLifetimeMs
        ? { expiresAt: mandate.expiresAt, latestAt: toInstant(nowMs + maxLifetimeMs) }
        : pass,
  },
  {
    code: 'INSTRUMENT_EXPIRED',
    severity: 'blocked',
    fails: ({ instrumentExpiry, nowMs }) =>
      instrumentExpiry !== undefined && instrumentExpiresAtMs(instrumentExpiry) <= nowMs
        ? { expiry: `${instrumentExpiry.year}-${String(instrumentExpiry.month).padStart(2, '0')}` }
        : pass,
  },
  {
    // A recommendation to review does not stop the token: the review happens at payment time.
    code: 'RISK_BLOCKED',
    severity: 'blocked',
    fails: ({ risk }) => {
      const blocking = risk.filter((assessment) => assessment.recommendation === 'block');
      return blocking.length > 0
        ? { assessment: blocking.map((assessment) => assessment.kind).join(', ') }
        : pass;
    },
  },
];

export interface DelegationOutcome {
  result: DecisionResult;
  blockers: Blocker[];
  evidenceRefs: EvidenceRef[];
  /** Until when a token minted now may be relied on: the mandate's expiry (or the instrument's, if sooner). */
  validUntilMs: number | null;
}

/** Runs every delegation check; all failures are reported, not just the first. */
export function decideDelegation(request: DelegationRequest): DelegationOutcome {
  const failed = DELEGATION_CHECKS.flatMap((check) => {
    const params = check.fails(request);
    return params === undefined ? [] : [{ check, params }];
  });
  const result = mostSevere(failed.map(({ check }) => check.severity));
  const ends = [toMs(request.mandate.expiresAt)];
  if (request.instrumentExpiry !== undefined)
    ends.push(instrumentExpiresAtMs(request.instrumentExpiry));
  const validUntilMs = result === 'allowed' ? Math.min(...ends) : null;
  return {
    result,
    blockers: failed.map(({ check, params }) => blocker(check.code, params)),
    evidenceRefs: [{ type: 'authority_record', id: request.mandate.ref }],
    validUntilMs,
  };
}
