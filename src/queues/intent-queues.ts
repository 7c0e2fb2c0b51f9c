import { z } from 'zod';
import { CommerceIntentSchema, IntentAnswerSchema } from '../domain/index.js';

/** The queue every accepted A2A message (and any other queued ingress) lands on. */
export const INTENTS_QUEUE = 'intents';

/** One canonical intent and the task that reports on it; jobs/process-intent.job.ts runs it. */
export const ProcessIntentPayloadSchema = z.object({
  tenant: z.string().min(1).max(63),
  taskId: z.string().min(1).max(200),
  intent: CommerceIntentSchema,
  answer: IntentAnswerSchema,
});
export type ProcessIntentPayload = z.infer<typeof ProcessIntentPayloadSchema>;

/** What the enqueue side needs to check a payload before it reaches Redis. */
export const processIntentQueue = {
  queue: INTENTS_QUEUE,
  PayloadSchema: ProcessIntentPayloadSchema,
} as const;

/**
 * A custom event on the intents queue's event stream: a task changed by a write that no job
 * event follows (a cancel, a further turn of the task), so whoever follows the task on any
 * process reads it again.
 */
export const TASK_CHANGED_EVENT = 'task-changed';
export const TaskChangedEventSchema = z.object({
  tenant: z.string().min(1).max(63),
  taskId: z.string().min(1).max(200),
});
export type TaskChangedEvent = z.infer<typeof TaskChangedEventSchema>;
