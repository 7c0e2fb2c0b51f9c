import { A2aProtocolError } from '../../adapters/a2a/errors.js';
import type { A2aVersion, JsonRpcCall } from '../../adapters/a2a/jsonrpc.js';
import { operationOf } from '../../adapters/a2a/jsonrpc.js';
import type { A2aOperation, InboundMessage } from '../../adapters/a2a/operation.js';
import { taskView } from '../../adapters/a2a/project.js';
import { requestOf } from '../../adapters/a2a/request-data.js';
import {
  type Caller,
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
} from '../../domain/index.js';
import type { IntentTaskService, TaskCursor } from '../../services/intent-tasks.js';
import { rendererFor } from './render.js';

export interface CallDeps {
  tasks: IntentTaskService;
  supports(action: CommerceAction): boolean;
  clock: Clock;
  blockingTimeoutMs: number;
}

/**
 * A call's answer: a JSON-RPC result, or a task to stream as server-sent events (a streaming
 * send, or a subscription to a task that is not terminal).
 */
export type CallAnswer =
  | { kind: 'result'; result: unknown }
  | { kind: 'stream'; task: IntentTask; historyLength: number | undefined };

function received(message: InboundMessage): ReceivedMessage {
  const kept: ReceivedMessage = {
    messageId: message.messageId,
    parts: message.parts.flatMap((part) => (part.type === 'file' ? [] : [part])),
  };
  if (message.contextId !== undefined) kept.contextId = message.contextId;
  return kept;
}

async function send(
  op: Extract<A2aOperation, { op: 'send' }>,
  caller: Caller,
  deps: CallDeps,
): Promise<IntentTask> {
  const request = requestOf(op.message);
  if (op.pushConfig) throw new A2aProtocolError('PUSH_NOTIFICATION_NOT_SUPPORTED');
  if (!deps.supports(request.action))
    throw new A2aProtocolError(
      'UNSUPPORTED_OPERATION',
      `${request.action} is not available on this deployment`,
    );
  if (op.message.taskId !== undefined) {
    // Each task answers one message; there is no follow-up turn to continue.
    const existing = await deps.tasks.get(caller.tenant, op.message.taskId);
    if (existing === undefined) throw new A2aProtocolError('TASK_NOT_FOUND');
    throw new A2aProtocolError(
      'UNSUPPORTED_OPERATION',
      `task ${existing.id} takes no further messages; send a new message without taskId`,
    );
  }
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
    message: received(op.message),
    intent,
    answer,
  });
  if (submitted.outcome === 'conflict')
    throw new A2aProtocolError(
      'INVALID_PARAMS',
      `messageId ${op.message.messageId} was already used for a different request`,
      { problems: [{ path: 'params.message.messageId', message: 'reused for another request' }] },
    );
  return submitted.task;
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
      if (op.streaming) return { kind: 'stream', task, historyLength: op.historyLength };
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
      return { kind: 'stream', task, historyLength: undefined };
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
