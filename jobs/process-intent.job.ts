import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { Clock } from '../src/clock.js';
import { CommerceIntentSchema, toInstant } from '../src/domain/index.js';
import { defineJob } from '../src/queues/job-shell.js';
import {
  IntentAnswerSchema,
  type IntentExecutor,
  type IntentOutcome,
} from '../src/services/intent-executor.js';
import type { IntentTaskStore } from '../src/store/intent-task-store.js';

/** The queue every accepted A2A message (and any other queued ingress) lands on. */
export const INTENTS_QUEUE = 'intents';

/** One canonical intent and the task that reports on it. */
export const PayloadSchema = z.object({
  tenant: z.string().min(1).max(63),
  taskId: z.string().min(1).max(200),
  intent: CommerceIntentSchema,
  answer: IntentAnswerSchema,
});
export type ProcessIntentPayload = z.infer<typeof PayloadSchema>;

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
  queue: INTENTS_QUEUE,
  PayloadSchema,
  process: (payload, deps: ProcessIntentDeps, job) => process(payload, deps, job),
});
