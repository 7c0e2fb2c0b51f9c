import type {
  Blocker,
  CommerceAction,
  DecisionResult,
  EvidenceRef,
  PolicyDomain,
} from '../../domain/index.js';
import type { DetailedAuditChange } from '../../store/audit-store.js';
import type { OutboxEffect } from '../../store/outbox-store.js';

/**
 * The `decision.changed` event a subscriber receives: the audit's changed decisions of one
 * product in one context, projected as they are, never re-decided. One event per (subscription,
 * product, context) and evaluation; events that wait in one coalescing window merge into one
 * (mergeChanges), so the subscriber hears each key's latest decisions, in sequence order.
 */
export interface DecisionChange {
  action: CommerceAction;
  policyDomain?: PolicyDomain;
  /** absent when the subscriber's first word on this decision is its first evaluation */
  previousResult?: DecisionResult;
  result: DecisionResult;
  /** code, message and nextAction of each blocker, as the domain wrote them */
  blockers: Blocker[];
  evidenceRefs: EvidenceRef[];
  validUntil: string | null;
}

export interface DecisionChangedData {
  productId: string;
  /** `REGION:buyerType:channel`, as subscriptions name contexts */
  context: string;
  /** the first evaluation this event covers (the same as evaluatedAt unless it was coalesced) */
  evaluatedFrom: string;
  /** the last evaluation this event covers: its decisions are the ones now in force */
  evaluatedAt: string;
  rulesetVersion: string;
  changes: DecisionChange[];
  /** how many evaluations this event stands for (more than one when a burst was coalesced) */
  coalesced: number;
}

export interface DecisionChangedEvent {
  /** also the Webhook-Id header: a redelivery carries the same id */
  id: string;
  type: 'decision.changed';
  createdAt: string;
  subscriptionId: string;
  /** increases with every event of the (subscription, product, context); gaps are superseded events */
  sequence: number;
  data: DecisionChangedData;
}

export function decisionChangeOf(change: DetailedAuditChange): DecisionChange {
  const out: DecisionChange = {
    action: change.action,
    result: change.result,
    blockers: change.blockerDetails,
    evidenceRefs: change.evidenceRefs,
    validUntil: change.validUntil,
  };
  if (change.policyDomain !== undefined) out.policyDomain = change.policyDomain;
  if (change.previousResult !== undefined) out.previousResult = change.previousResult;
  return out;
}

const decisionKey = (change: DecisionChange) => `${change.action}/${change.policyDomain ?? ''}`;

/**
 * An older, unsent event's data and a newer one's of the same key, as one: each decision keeps
 * the older's previousResult (what the subscriber last heard) and takes the newer's state; a
 * decision only the older changed keeps the older's state (the newer did not touch it). A
 * decision that flipped back stays in, its previousResult equal to its result: its blockers,
 * evidence or validUntil may still differ from what the subscriber last heard.
 */
export function mergeChanges(
  older: DecisionChangedData,
  newer: DecisionChangedData,
): DecisionChangedData {
  const merged = new Map<string, DecisionChange>();
  for (const change of older.changes) merged.set(decisionKey(change), change);
  for (const change of newer.changes) {
    const before = merged.get(decisionKey(change));
    const next: DecisionChange = { ...change };
    delete next.previousResult;
    const previous = before === undefined ? change.previousResult : before.previousResult;
    if (previous !== undefined) next.previousResult = previous;
    merged.set(decisionKey(change), next);
  }
  return {
    ...newer,
    evaluatedFrom: older.evaluatedFrom,
    changes: [...merged.values()],
    coalesced: older.coalesced + newer.coalesced,
  };
}

/** A decision of a profile.expiring warning: what holds until its validUntil, and no longer. */
export interface ExpiringDecision {
  action: CommerceAction;
  policyDomain?: PolicyDomain;
  result: DecisionResult;
  validUntil: string;
}

/**
 * The `profile.expiring` warning (PROFILE_EXPIRING_LEAD_MS ahead of a profile's validUntil):
 * the product's decisions in one context that rely on a fact expiring then. It is the stored
 * profile read as it is; after validUntil the evaluation decides again (typically
 * requires_revalidation), and that is a `decision.changed`. Sent once per (subscription,
 * product, context, validUntil); it has no sequence of its own.
 */
export interface ProfileExpiringEvent {
  id: string;
  type: 'profile.expiring';
  createdAt: string;
  subscriptionId: string;
  data: {
    productId: string;
    context: string;
    /** the profile's earliest validUntil: when its first decisions stop holding */
    validUntil: string;
    /** the evaluation whose profile this is */
    evaluatedAt: string;
    rulesetVersion: string;
    /** the covered decisions whose validUntil is within the lead, soonest first */
    expiring: ExpiringDecision[];
  };
}

/**
 * The outbox effect that delivers a subscription's event: a signed webhook POST of the event to
 * the subscription's url, its id the event's (the Webhook-Id a receiver dedupes on).
 */
export function subscriberWebhook(
  tenant: string,
  subscription: { id: string; url: string },
  event: DecisionChangedEvent | ProfileExpiringEvent,
  extra: { correlationId: string; createdAtMs: number; orderingKey?: string },
): OutboxEffect {
  return {
    id: event.id,
    tenant,
    kind: 'decision_event',
    provider: 'webhook',
    method: 'POST',
    url: subscription.url,
    body: event,
    subscriptionId: subscription.id,
    ...extra,
  };
}
