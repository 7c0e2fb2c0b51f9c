import {
  type CommerceDecision,
  type IntentOutcome,
  type IntentTask,
  type IntentTaskState,
  isAllowed,
} from '../../domain/index.js';
import { EXAMPLE_REQUEST, INPUT_PROMPT } from './input-prompt.js';
import type { HistoryMessage } from './operation.js';
import { watchArtifactData, watchSummaryOf } from './project-watch.js';

/** A decision as an agent reads it: codes and next actions, never the evaluation internals. */
export interface ProjectedDecision {
  action: CommerceDecision['action'];
  policyDomain?: CommerceDecision['policyDomain'];
  result: CommerceDecision['result'];
  allowed: boolean;
  blockers: { code: string; message: string; nextAction: string }[];
  warnings: { code: string; message: string; nextAction: string }[];
  evidenceIds: string[];
  evaluatedAt: string;
  validUntil: string | null;
  rulesetVersion: string;
}

export function projectDecision(decision: CommerceDecision): ProjectedDecision {
  const reason = (b: CommerceDecision['blockers'][number]) => ({
    code: b.code,
    message: b.message,
    nextAction: b.nextAction,
  });
  const projected: ProjectedDecision = {
    action: decision.action,
    result: decision.result,
    allowed: decision.allowed,
    blockers: decision.blockers.map(reason),
    warnings: decision.warnings.map(reason),
    evidenceIds: decision.evidenceRefs.map((ref) => `${ref.type}:${ref.id}`),
    evaluatedAt: decision.evaluatedAt,
    validUntil: decision.validUntil,
    rulesetVersion: decision.rulesetVersion,
  };
  if (decision.policyDomain !== undefined) projected.policyDomain = decision.policyDomain;
  return projected;
}

/** The artifact a finished task carries: one JSON data part with the projected outcome. */
export interface ArtifactView {
  artifactId: string;
  name: string;
  description: string;
  data: Record<string, unknown>;
}

export function artifactOf(taskId: string, outcome: IntentOutcome): ArtifactView {
  switch (outcome.kind) {
    case 'decision':
      return {
        artifactId: `${taskId}-decision`,
        name: 'decision',
        description: `The ${outcome.decision.action} decision for ${outcome.productId}`,
        data: {
          type: 'decision',
          productId: outcome.productId,
          context: outcome.context,
          ...projectDecision(outcome.decision),
        },
      };
    case 'profile':
      return {
        artifactId: `${taskId}-profile`,
        name: 'profile',
        description: `Every action decision for ${outcome.profile.productId}`,
        data: {
          type: 'profile',
          productId: outcome.profile.productId,
          context: outcome.profile.context,
          evaluatedAt: outcome.profile.evaluatedAt,
          validUntil: outcome.profile.validUntil,
          rulesetVersion: outcome.profile.rulesetVersion,
          decisions: outcome.profile.decisions.map(projectDecision),
        },
      };
    case 'checkout': {
      const { decision } = outcome;
      return {
        artifactId: `${taskId}-checkout`,
        name: 'checkout',
        description: `The ${decision.action} step and the checkout after it`,
        data: {
          type: 'checkout',
          action: decision.action,
          outcome: outcome.outcome,
          result: decision.result,
          allowed: isAllowed(decision),
          blockers: decision.blockers.map((b) => ({
            code: b.code,
            message: b.message,
            nextAction: b.nextAction,
          })),
          evidenceIds: decision.evidenceRefs.map((ref) => `${ref.type}:${ref.id}`),
          evaluatedAt: decision.evaluatedAt,
          checkout: outcome.checkout,
          // AP2: the merchant-signed checkout receipt answering the mandates presented.
          ...(outcome.mandateReceipt === undefined ? {} : { ap2Receipt: outcome.mandateReceipt }),
          // AP2: the prepared checkout signed for mandates, named as the checkout API names it.
          ...(outcome.signedCheckout === undefined
            ? {}
            : {
                ap2: {
                  checkout_jwt: outcome.signedCheckout.checkoutJwt,
                  checkout_hash: outcome.signedCheckout.checkoutHash,
                  nonce: outcome.signedCheckout.nonce,
                  audience: outcome.signedCheckout.audience,
                  expires_at: outcome.signedCheckout.expiresAt,
                },
              }),
        },
      };
    }
    case 'subscriptions':
      return {
        artifactId: `${taskId}-product-watches`,
        name: 'product_watches',
        description: 'The product watches (subscriptions to decision.changed events) concerned',
        data: watchArtifactData(outcome),
      };
  }
}

/** One line for the task's status message, so a text-only agent still reads the answer. */
export function summaryOf(task: IntentTask): string {
  const outcome = task.outcome;
  if (task.state === 'input_required') return INPUT_PROMPT;
  if (task.state === 'failed') return `Failed: ${task.failure?.message ?? 'processing failed'}`;
  if (task.state === 'canceled') return 'Canceled before processing started.';
  if (outcome === undefined)
    return `Accepted ${task.intent?.action ?? 'the request'}; ${task.state}.`;
  if (outcome.kind === 'subscriptions') return watchSummaryOf(outcome);
  if (outcome.kind === 'profile')
    return `Profile of ${outcome.profile.productId} for ${outcome.profile.context.region}/${outcome.profile.context.buyerType}.`;
  const decision = outcome.decision;
  const domain =
    'policyDomain' in decision && decision.policyDomain ? ` (${decision.policyDomain})` : '';
  const codes = decision.blockers.map((b) => b.code).join(', ');
  return `${decision.action}${domain}: ${decision.result}${codes ? ` — ${codes}` : ''}.`;
}

/** A task ready to be rendered in either protocol version. */
export interface TaskView {
  id: string;
  contextId: string;
  state: IntentTaskState;
  timestamp: string;
  statusText: string;
  /** A data part beside the status text: the example request while the task waits for input. */
  statusData?: Record<string, unknown>;
  /** Absent when the caller did not ask for artifacts (ListTasks without includeArtifacts). */
  artifacts?: ArtifactView[];
  history: HistoryMessage[];
}

export interface TaskViewOptions {
  historyLength?: number;
  includeArtifacts?: boolean;
}

/** Every message the task received, oldest first; the agent's answers are its status. */
function historyOf(task: IntentTask): HistoryMessage[] {
  return [task.message, ...(task.followUps ?? [])].map((message) => ({
    messageId: message.messageId,
    contextId: task.contextId,
    taskId: task.id,
    role: 'user',
    parts: message.parts,
  }));
}

export function taskView(task: IntentTask, options: TaskViewOptions = {}): TaskView {
  const history = historyOf(task);
  const limit = options.historyLength;
  return {
    id: task.id,
    contextId: task.contextId,
    state: task.state,
    timestamp: task.updatedAt,
    statusText: summaryOf(task),
    ...(task.state === 'input_required' ? { statusData: { ...EXAMPLE_REQUEST } } : {}),
    artifacts:
      options.includeArtifacts === false
        ? undefined
        : task.outcome !== undefined
          ? [artifactOf(task.id, task.outcome)]
          : [],
    history: limit === undefined ? history : limit === 0 ? [] : history.slice(-limit),
  };
}
