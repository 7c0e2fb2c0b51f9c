import type { IntentOutcome } from '../../domain/index.js';
import type { WatchActionName } from './action-vocabulary.js';

type SubscriptionsOutcome = Extract<IntentOutcome, { kind: 'subscriptions' }>;

/** Each operation of the subscription service, named by the watch word that asks for it. */
const ACTION_OF: Record<SubscriptionsOutcome['operation'], WatchActionName> = {
  stored: 'watch_products',
  removed: 'unwatch_products',
  listed: 'list_watches',
};

/**
 * The artifact of a product-watch task: one data part holding the subscriptions concerned exactly
 * as `GET /v1/subscriptions` lists them (an agent reads one shape on either surface), with which
 * request it answers and, for a watch, whether it made a new subscription or replaced one.
 */
export function watchArtifactData(outcome: SubscriptionsOutcome): Record<string, unknown> {
  return {
    type: 'product_watches',
    action: ACTION_OF[outcome.operation],
    ...(outcome.created === undefined ? {} : { created: outcome.created }),
    subscriptions: outcome.subscriptions,
  };
}

function idsOf(outcome: SubscriptionsOutcome): string {
  return outcome.subscriptions.map((s) => String(s.id)).join(', ');
}

/** One line for the task's status message: what was done and where the events go. */
export function watchSummaryOf(outcome: SubscriptionsOutcome): string {
  const [first] = outcome.subscriptions;
  switch (outcome.operation) {
    case 'stored':
      return `Watch ${idsOf(outcome)} ${outcome.created ? 'created' : 'replaced'}: signed decision.changed events go to ${String(first?.url)}.`;
    case 'removed':
      return `Watch ${idsOf(outcome)} removed: its events are no longer sent.`;
    case 'listed':
      return outcome.subscriptions.length === 0
        ? 'No product watches.'
        : `${outcome.subscriptions.length} product watch(es): ${idsOf(outcome)}.`;
  }
}
