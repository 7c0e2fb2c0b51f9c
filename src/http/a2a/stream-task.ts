import type { FastifyReply } from 'fastify';
import type { JsonRpcId } from '../../adapters/a2a/jsonrpc.js';
import { artifactOf, taskView } from '../../adapters/a2a/project.js';
import { isAwaitingInput, isTerminalTaskState } from '../../domain/index.js';
import type { CallAnswer, CallDeps } from './handle-call.js';
import type { Renderer } from './render.js';
import { openEventStream } from './sse.js';

/**
 * SendStreamingMessage / message/stream: the task as accepted, each state it moves through, the
 * artifact, and a final status; the stream ends when the task is terminal, waits for input
 * (the caller's next message continues it), or the blocking limit passes (the client then polls
 * GetTask).
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
  if (isTerminalTaskState(answer.task.state) || isAwaitingInput(answer.task.state)) {
    stream.end();
    return;
  }
  await deps.tasks.waitForTerminal(answer.task, deps.blockingTimeoutMs, (task) => {
    const view = taskView(task, options);
    if (task.outcome !== undefined)
      event(render.artifactUpdate(view, artifactOf(task.id, task.outcome)));
    event(
      render.statusUpdate(view, isTerminalTaskState(task.state) || isAwaitingInput(task.state)),
    );
  });
  stream.end();
}
