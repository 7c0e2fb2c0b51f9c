import type { FastifyReply } from 'fastify';
import { toJsonRpcError } from '../../adapters/a2a/errors.js';
import type { JsonRpcId } from '../../adapters/a2a/jsonrpc.js';
import { artifactOf, taskView } from '../../adapters/a2a/project.js';
import { isInterruptedTaskState, isTerminalTaskState } from '../../domain/index.js';
import type { CallAnswer, CallDeps } from './handle-call.js';
import type { Renderer } from './render.js';
import { openEventStream } from './sse.js';

/**
 * SendStreamingMessage / message/stream, and SubscribeToTask / tasks/resubscribe: first the task
 * as it is when the stream opens (v1.0 §3.1.6: what a subscriber missed is in it), then each
 * state it moves through, the artifact, and a final status. The stream ends when the task is
 * terminal (or has come to wait on its client) or the blocking limit passes (the client then
 * polls GetTask or subscribes again), and at once when the client goes away.
 */
export async function streamTask(
  reply: FastifyReply,
  id: JsonRpcId,
  render: Renderer,
  answer: Extract<CallAnswer, { kind: 'stream' }>,
  deps: CallDeps,
): Promise<void> {
  const stream = openEventStream(reply);
  const event = (result: unknown) => stream.send({ jsonrpc: '2.0', id, result });
  const options = { historyLength: answer.historyLength };
  event(render.streamTask(taskView(answer.task, options)));
  if (answer.endsAtInput && isInterruptedTaskState(answer.task.state)) {
    stream.end();
    return;
  }
  try {
    await deps.tasks.follow(answer.task, {
      limitMs: deps.blockingTimeoutMs,
      signal: stream.signal,
      onChange: (task) => {
        const view = taskView(task, options);
        if (task.outcome !== undefined)
          event(render.artifactUpdate(view, artifactOf(task.id, task.outcome)));
        event(
          render.statusUpdate(
            view,
            isTerminalTaskState(task.state) || isInterruptedTaskState(task.state),
          ),
        );
      },
    });
  } catch (error) {
    // The headers are sent: a fault (Redis gone) is the stream's last event, not a reply.
    reply.log.error({ err: error }, 'a2a task stream failed');
    stream.send({ jsonrpc: '2.0', id, error: toJsonRpcError(error, render.errorShape).error });
  }
  stream.end();
}

/** A streaming call refused before its task stream began: one error event, then the end. */
export function streamError(reply: FastifyReply, id: JsonRpcId, error: unknown): void {
  const stream = openEventStream(reply);
  stream.send({ jsonrpc: '2.0', id, error });
  stream.end();
}
