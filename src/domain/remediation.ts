import type { CommerceAction } from './actions.js';
import type { BlockerCode } from './blockers.js';
import type { ProductActionProfile } from './decision.js';
import type { PolicyDomain } from './policy.js';
import { CONSEQUENCE_CODES, type Readiness, readinessOfDecisions } from './readiness.js';

/** One thing an operator can do, and which decisions it would unblock. */
export interface RemediationItem {
  code: BlockerCode;
  severity: 'blocker' | 'warning';
  message: string;
  nextAction: string;
  affects: { action: CommerceAction; policyDomain?: PolicyDomain }[];
}

export interface RemediationView {
  productId: string;
  readiness: Readiness;
  allowed: { action: CommerceAction; policyDomain?: PolicyDomain }[];
  notAllowed: {
    action: CommerceAction;
    policyDomain?: PolicyDomain;
    result: string;
    codes: BlockerCode[];
  }[];
  remediation: RemediationItem[];
}

/** Readiness of a profile, by READINESS_RULES (domain/readiness.ts), from its decisions only. */
export function readinessOf(profile: ProductActionProfile): Readiness {
  return readinessOfDecisions(profile.decisions);
}

/**
 * The operator's projection of a profile: the same decisions the agents get, as work to do.
 * One item per distinct reason (same code, same words), listing every decision it holds back.
 * CONSEQUENCE_CODES (CHECKOUT_NOT_READY, AUTHORITY_CHECKED_PER_REQUEST) are not work, so they are
 * left out.
 */
export function remediationOf(profile: ProductActionProfile): RemediationView {
  const items = new Map<string, RemediationItem>();
  const allowed: RemediationView['allowed'] = [];
  const notAllowed: RemediationView['notAllowed'] = [];

  for (const decision of profile.decisions) {
    const where = decision.policyDomain
      ? { action: decision.action, policyDomain: decision.policyDomain }
      : { action: decision.action };
    if (decision.allowed) allowed.push(where);
    else
      notAllowed.push({
        ...where,
        result: decision.result,
        codes: decision.blockers.map((b) => b.code),
      });
    const reasons = [
      ...decision.blockers.map((b) => ({ b, severity: 'blocker' as const })),
      ...decision.warnings.map((b) => ({ b, severity: 'warning' as const })),
    ];
    for (const { b, severity } of reasons) {
      if (CONSEQUENCE_CODES.has(b.code)) continue;
      const key = `${b.code}|${b.nextAction}`;
      const item = items.get(key) ?? {
        code: b.code,
        severity,
        message: b.message,
        nextAction: b.nextAction,
        affects: [],
      };
      if (severity === 'blocker') item.severity = 'blocker';
      item.affects.push(where);
      items.set(key, item);
    }
  }
  const remediation = [...items.values()].sort((a, b) =>
    a.severity === b.severity
      ? b.affects.length - a.affects.length
      : a.severity === 'blocker'
        ? -1
        : 1,
  );
  return {
    productId: profile.productId,
    readiness: readinessOf(profile),
    allowed,
    notAllowed,
    remediation,
  };
}
