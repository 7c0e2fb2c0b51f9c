import { randomUUID } from 'node:crypto';
import { A2aProtocolError } from '../../adapters/a2a/errors.js';
import type { A2aVersion, JsonRpcCall } from '../../adapters/a2a/jsonrpc.js';
import { operationOf } from '../../adapters/a2a/jsonrpc.js';
import type { A2aOperation, InboundMessage } from '../../adapters/a2a/operation.js';
import { taskView } from '../../adapters/a2a/project.js';
import { type MessageReading, readMessage } from '../../adapters/a2a/read-message.js';
import { invalid, reusedMessageId } from '../../adapters/a2a/request-data.js';
import {
  type Caller,
  idsOfFollowUp,
  idsOfMessage,
  requestHashOf,
  toIntent,
} from '../../adapters/a2a/to-intent.js';
import type { Clock } from '../../clock.js';
import {
  type CommerceAction,
  type IntentTask,
  isTerminalTaskState,
  type ReceivedMessage,
  type ReceivedPart,
} from '../../domain/index.js';
import type {
  FollowUpRequest,
  IntentTaskService,
  TaskCursor,
} from '../../services/intent-tasks.js';
import { answerWatch, type ProductWatchDeps } from './product-watch.js';
import { rendererFor } from './render.js';

export interface CallDeps {
  tasks: IntentTaskService;
  supports(action: CommerceAction): boolean;
  clock: Clock;
  blockingTimeoutMs: number;
  /** The product-watch extension's requests; absent, they are refused as unsupported. */
  watches?: ProductWatchDeps;
}

/**
 * A call's answer: a JSON-RPC result, or a task to stream as server-sent events (a streaming
 * send, or a subscription to a task that is not terminal).
 */
export type CallAnswer =
  | { kind: 'result'; result: unknown }
  | {
      kind: 'stream';
      task: IntentTask;
      historyLength: number | undefined;
      /**
       * A send's stream answers one turn: it ends where the task waits on its client. A
       * subscription to a task that already waits stays open until the task moves on.
       */
      endsAtInput: boolean;
    };

function received(message: InboundMessage, parts: ReceivedPart[]): ReceivedMessage {
  const kept: ReceivedMessage = { messageId: message.messageId, parts };
  if (message.contextId !== undefined) kept.contextId = message.contextId;
  return kept;
}

/**
 * SendMessage / message/send: a message with a request becomes an intent task (or, with a
 * taskId, continues the task that asked for one); a message without one opens a task that asks
 * for it. Nothing here decides: the request is translated, or the caller is asked.
 */
async function send(
  op: Extract<A2aOperation, { op: 'send' }>,
  caller: Caller,
  deps: CallDeps,
): Promise<IntentTask> {
  const reading = readMessage(op.message);
  if (op.pushConfig) throw new A2aProtocolError('PUSH_NOTIFICATION_NOT_SUPPORTED');
  if (reading.kind === 'request' && !deps.supports(reading.request.action))
    throw new A2aProtocolError(
      'UNSUPPORTED_OPERATION',
      `${reading.request.action} is not available on this deployment`,
    );
  const message = received(op.message, reading.parts);
  if (reading.kind === 'watch') return answerWatch(op.message, reading, message, caller, deps);
  if (op.message.taskId !== undefined)
    return followUp(op.message.taskId, op.message, reading, message, caller, deps);
  if (reading.kind === 'conversation') {
    // Free text has no effect to repeat, so it is not deduplicated by message id: each such
    // message opens its own task, with an id of its own (A2A makes send idempotency optional).
    const taskId = randomUUID();
    return deps.tasks.open({
      tenant: caller.tenant,
      taskId,
      contextId: op.message.contextId ?? taskId,
      message,
    });
  }
  const { request } = reading;
  const ids = idsOfMessage(caller, op.message.messageId);
  const contextId = op.message.contextId ?? ids.taskId;
  const { intent, answer } = toIntent({
    request,
    caller,
    ids,
    contextId,
    nowMs: deps.clock.nowMs(),
  });
  const submitted = await deps.tasks.submit({
    tenant: caller.tenant,
    taskId: ids.taskId,
    jobId: ids.jobId,
    contextId,
    requestHash: requestHashOf(request),
    message,
    intent,
    answer,
  });
  if (submitted.outcome === 'conflict') throw reusedMessageId(op.message.messageId);
  return submitted.task;
}

/**
 * A message naming a task (v1.0.1 §3.4): the task must exist for this tenant (-32001), be of
 * the context the message names, if any, and still wait for input; a terminal or working task
 * takes no further messages (-32004). The request it carries continues the task.
 */
async function followUp(
  taskId: string,
  inbound: InboundMessage,
  reading: MessageReading,
  message: ReceivedMessage,
  caller: Caller,
  deps: CallDeps,
): Promise<IntentTask> {
  const task = await deps.tasks.get(caller.tenant, taskId);
  if (task === undefined) throw new A2aProtocolError('TASK_NOT_FOUND');
  if (inbound.contextId !== undefined && inbound.contextId !== task.contextId)
    throw invalid(
      'params.message.contextId',
      `task ${task.id} belongs to context ${task.contextId}, not ${inbound.contextId}`,
    );
  let request: FollowUpRequest | undefined;
  if (reading.kind === 'request') {
    const ids = idsOfFollowUp(caller, task.id, inbound.messageId);
    const { intent, answer } = toIntent({
      request: reading.request,
      caller,
      ids,
      contextId: task.contextId,
      nowMs: deps.clock.nowMs(),
    });
    request = { jobId: ids.jobId, requestHash: requestHashOf(reading.request), intent, answer };
  }
  const result = await deps.tasks.followUp({
    tenant: caller.tenant,
    taskId: task.id,
    message,
    request,
  });
  if (result.outcome === 'not_found') throw new A2aProtocolError('TASK_NOT_FOUND');
  if (result.outcome === 'closed')
    throw new A2aProtocolError(
      'UNSUPPORTED_OPERATION',
      isTerminalTaskState(result.task.state)
        ? `task ${task.id} is ${result.task.state} and takes no further messages; send a new message without taskId`
        : `task ${task.id} is already ${result.task.state} on its request and takes no further messages`,
    );
  return result.task;
}

/** A page token is the cursor of the last task seen, `<score>:<id>` in base64url. */
function pageCursor(token: string | undefined): TaskCursor | undefined {
  if (token === undefined || token === '') return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const score = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon < 1 || !Number.isFinite(score) || id === '')
    throw new A2aProtocolError('INVALID_PARAMS', 'Invalid params: params.pageToken is not ours', {
      problems: [{ path: 'params.pageToken', message: 'not a token this server issued' }],
    });
  return { score, id };
}

function pageToken(cursor: TaskCursor | undefined): string {
  return cursor === undefined
    ? ''
    : Buffer.from(`${cursor.score}:${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Runs one JSON-RPC call for an authenticated caller. Protocol errors are thrown as
 * A2aProtocolError (or zod errors for params) and mapped by the route.
 */
export async function handleCall(
  version: A2aVersion,
  call: JsonRpcCall,
  caller: Caller,
  deps: CallDeps,
): Promise<CallAnswer> {
  const op = operationOf(version, call);
  const render = rendererFor(version);
  switch (op.op) {
    case 'send': {
      const task = await send(op, caller, deps);
      if (op.streaming)
        return { kind: 'stream', task, historyLength: op.historyLength, endsAtInput: true };
      // A notification is never answered (JSON-RPC §4.1), so nothing waits for the task.
      const answered =
        op.returnImmediately || call.notification
          ? task
          : await deps.tasks.waitForTerminal(task, deps.blockingTimeoutMs);
      return {
        kind: 'result',
        result: render.sendResult(taskView(answered, { historyLength: op.historyLength })),
      };
    }
    case 'get': {
      const task = await deps.tasks.get(caller.tenant, op.id);
      if (task === undefined) throw new A2aProtocolError('TASK_NOT_FOUND');
      return {
        kind: 'result',
        result: render.task(taskView(task, { historyLength: op.historyLength })),
      };
    }
    case 'subscribe': {
      const task = await deps.tasks.get(caller.tenant, op.id);
      if (task === undefined) throw new A2aProtocolError('TASK_NOT_FOUND');
      // v1.0 §3.1.6: a task in a terminal state has nothing left to stream.
      if (op.refuseTerminal && isTerminalTaskState(task.state))
        throw new A2aProtocolError(
          'UNSUPPORTED_OPERATION',
          `task ${task.id} is ${task.state}: it will not change again, read it instead of subscribing`,
        );
      return { kind: 'stream', task, historyLength: undefined, endsAtInput: false };
    }
    case 'cancel': {
      const canceled = await deps.tasks.cancel(caller.tenant, op.id);
      if (canceled.outcome === 'not_found') throw new A2aProtocolError('TASK_NOT_FOUND');
      if (canceled.outcome === 'not_cancelable')
        throw new A2aProtocolError(
          'TASK_NOT_CANCELABLE',
          `task ${op.id} is ${canceled.task.state} and can no longer be canceled`,
        );
      return { kind: 'result', result: render.task(taskView(canceled.task)) };
    }
    case 'list': {
      const after = pageCursor(op.pageToken);
      const page =
        op.state === 'unreached'
          ? { tasks: [], total: 0, next: undefined }
          : await deps.tasks.list(caller.tenant, {
              contextId: op.contextId,
              state: op.state,
              updatedAfterMs: op.updatedAfterMs,
              after,
              limit: op.pageSize,
            });
      const views = page.tasks.map((task) =>
        taskView(task, { historyLength: op.historyLength, includeArtifacts: op.includeArtifacts }),
      );
      const next = pageToken(page.next);
      return {
        kind: 'result',
        result: {
          tasks: views.map((view) => render.task(view)),
          nextPageToken: next,
          pageSize: op.pageSize,
          totalSize: page.total,
        },
      };
    }
  }
}
