import { A2aProtocolError } from '../../adapters/a2a/errors.js';
import type { InboundMessage } from '../../adapters/a2a/operation.js';
import type { MessageReading } from '../../adapters/a2a/read-message.js';
import { invalid, reusedMessageId } from '../../adapters/a2a/request-data.js';
import { type Caller, idsOfMessage, requestHashOf } from '../../adapters/a2a/to-intent.js';
import type { WatchRequest } from '../../adapters/a2a/watch-request.js';
import type { IntentTask, ReceivedMessage } from '../../domain/index.js';
import type { IntentTaskService, SettledAnswer } from '../../services/intent-tasks.js';
import type { SubscriptionService } from '../../services/subscriptions/subscription-service.js';
import { subscriberUrlProblem } from '../subscriber-url.js';

export interface ProductWatchDeps {
  subscriptions: SubscriptionService;
  /** Production's rules for where events may go (https, public addresses), as REST applies them. */
  production: boolean;
}

/**
 * Carries out one watch request for the tenant through the subscription service, with the rules
 * `PUT /v1/subscriptions/{id}` applies, each problem named by its field under `at`. Nothing here
 * decides: the service stores, removes or lists, and says which contexts it evaluates.
 */
async function run(
  deps: ProductWatchDeps,
  tenant: string,
  request: WatchRequest,
  at: string,
): Promise<SettledAnswer> {
  const { subscriptions } = deps;
  switch (request.op) {
    case 'watch': {
      const { body } = request;
      const problem = subscriberUrlProblem(body.url, deps.production);
      if (problem !== undefined) throw invalid(`${at}.url`, problem);
      const unevaluated = subscriptions.unevaluatedContexts(body.contexts);
      if (unevaluated.length > 0)
        throw invalid(
          `${at}.contexts`,
          `${unevaluated.join(', ')} not evaluated here; evaluated: ${subscriptions.evaluatedContexts().join(', ')}`,
        );
      const { subscription, created } = await subscriptions.put(
        tenant,
        request.subscriptionId,
        body,
      );
      return {
        state: 'completed',
        outcome: {
          kind: 'subscriptions',
          operation: 'stored',
          created,
          subscriptions: [{ ...subscription }],
        },
      };
    }
    case 'unwatch': {
      // Read first, so the answer shows what stopped, as GET /v1/subscriptions/{id} showed it.
      const found = await subscriptions.get(tenant, request.subscriptionId);
      if (found === undefined || !(await subscriptions.remove(tenant, request.subscriptionId)))
        return {
          state: 'failed',
          failure: {
            code: 'SUBSCRIPTION_NOT_FOUND',
            message: `subscription ${request.subscriptionId} not found (list_watches lists yours)`,
          },
        };
      return {
        state: 'completed',
        outcome: { kind: 'subscriptions', operation: 'removed', subscriptions: [{ ...found }] },
      };
    }
    case 'list': {
      const all = await subscriptions.list(tenant);
      return {
        state: 'completed',
        outcome: {
          kind: 'subscriptions',
          operation: 'listed',
          subscriptions: all.map((s) => ({ ...s })),
        },
      };
    }
  }
}

/**
 * A message holding a watch request: answered at once, as a task already completed (or failed,
 * for a watch that is not there), kept like every task so GetTask and ListTasks show it. Its id
 * derives from the message id as an intent task's does: a resent message is answered with the
 * task it made and runs nothing again; the same id with another request is refused.
 */
export async function answerWatch(
  inbound: InboundMessage,
  reading: Extract<MessageReading, { kind: 'watch' }>,
  message: ReceivedMessage,
  caller: Caller,
  deps: { tasks: IntentTaskService; watches?: ProductWatchDeps },
): Promise<IntentTask> {
  if (deps.watches === undefined)
    throw new A2aProtocolError(
      'UNSUPPORTED_OPERATION',
      'product watches are not available on this deployment',
    );
  // A task waiting for input continues toward an intent (input_required → submitted); a watch
  // is no step of it, and a task of its own keeps the states of both as the domain draws them.
  if (inbound.taskId !== undefined)
    throw new A2aProtocolError(
      'UNSUPPORTED_OPERATION',
      'a product-watch request is answered on a task of its own: send it in a new message, without taskId',
    );
  const ids = idsOfMessage(caller, inbound.messageId);
  const requestHash = requestHashOf(reading.watch);
  const seen = await deps.tasks.get(caller.tenant, ids.taskId);
  if (seen !== undefined) {
    if (seen.requestHash !== requestHash) throw reusedMessageId(inbound.messageId);
    return seen;
  }
  const answer = await run(deps.watches, caller.tenant, reading.watch, reading.at);
  const recorded = await deps.tasks.record({
    tenant: caller.tenant,
    taskId: ids.taskId,
    contextId: inbound.contextId ?? ids.taskId,
    requestHash,
    message,
    answer,
  });
  // Two sends of one message id at once both ran (a second watch replaces with the same body, a
  // second unwatch finds nothing); both are answered with the one task recorded first.
  if (recorded.outcome === 'conflict') throw reusedMessageId(inbound.messageId);
  return recorded.task;
}
