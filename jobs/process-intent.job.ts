import { UnrecoverableError } from 'bullmq';
import type { Clock } from '../src/clock.js';
import { type IntentOutcome, toInstant } from '../src/domain/index.js';
import {
  INTENTS_QUEUE,
  type ProcessIntentPayload,
  ProcessIntentPayloadSchema,
} from '../src/queues/intent-queues.js';
import { defineJob } from '../src/queues/job-shell.js';
import type { IntentExecutor } from '../src/services/intent-executor.js';
import type { IntentTaskStore } from '../src/store/intent-task-store.js';

export const queue = INTENTS_QUEUE;
export const PayloadSchema = ProcessIntentPayloadSchema;

export interface ProcessIntentDeps {
  executor: IntentExecutor;
  tasks: IntentTaskStore;
  clock: Clock;
}

export type ProcessIntentResult =
  | { state: 'completed'; kind: IntentOutcome['kind'] }
  | { state: 'skipped'; reason: string };

/**
 * Carries out one intent through the same services every surface uses and records the outcome
 * on its task: submitted → working → completed. A blocked decision is a completed task with a
 * blocked answer; only a fault fails it, and only once retries are used up. A task canceled
 * before the job started is left alone.
 */
export async function process(
  payload: ProcessIntentPayload,
  deps: ProcessIntentDeps,
  job: { attemptsMade: number; opts: { attempts?: number } },
): Promise<ProcessIntentResult> {
  const { tenant, taskId } = payload;
  const now = () => toInstant(deps.clock.nowMs());
  const started = await deps.tasks.update(tenant, taskId, (task) =>
    task.state === 'submitted' ? { ...task, state: 'working', updatedAt: now() } : undefined,
  );
  if (started === undefined) return { state: 'skipped', reason: 'task expired' };
  // `working` here means a retry of an attempt that did not finish.
  if (started.state !== 'working') return { state: 'skipped', reason: `task ${started.state}` };

  try {
    const outcome = await deps.executor.execute(tenant, payload.intent, payload.answer);
    await deps.tasks.update(tenant, taskId, (task) =>
      task.state === 'working'
        ? { ...task, state: 'completed', outcome, updatedAt: now() }
        : undefined,
    );
    return { state: 'completed', kind: outcome.kind };
  } catch (error) {
    const lastAttempt =
      error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (lastAttempt) {
      // Our own refusals say what went wrong; anything else stays in the log, not on the task.
      const message =
        error instanceof UnrecoverableError ? error.message : 'processing failed after retries';
      await deps.tasks.update(tenant, taskId, (task) =>
        task.state === 'working'
          ? {
              ...task,
              state: 'failed',
              failure: { code: 'PROCESSING_FAILED', message },
              updatedAt: now(),
            }
          : undefined,
      );
    }
    throw error;
  }
}

export const processIntentJob = defineJob({
  queue,
  PayloadSchema,
  process: (payload, deps: ProcessIntentDeps, job) => process(payload, deps, job),
});
