import { z } from 'zod';
import { CommerceIntentSchema } from './intent.js';
import { IntentAnswerSchema, IntentOutcomeSchema } from './intent-outcome.js';
import { InstantSchema } from './time.js';

/**
 * An accepted intent and how far its processing got. Protocol-neutral: each ingress that queues
 * intents projects it as its own protocol's task (src/adapters/a2a does so for both versions).
 */
export const INTENT_TASK_STATES = [
  'input_required',
  'submitted',
  'working',
  'completed',
  'failed',
  'canceled',
] as const;
export const IntentTaskStateSchema = z.enum(INTENT_TASK_STATES);
export type IntentTaskState = z.infer<typeof IntentTaskStateSchema>;

/**
 * Which state may follow which. Terminal states have no way out. `input_required` is a task
 * opened by a message that held no request: it waits for one (then `submitted`) or is canceled.
 */
export const INTENT_TASK_TRANSITIONS = {
  input_required: ['submitted', 'canceled'],
  submitted: ['working', 'canceled', 'failed'],
  working: ['completed', 'failed'],
  completed: [],
  failed: [],
  canceled: [],
} as const satisfies Record<IntentTaskState, readonly IntentTaskState[]>;

export function isTerminalTaskState(state: IntentTaskState): boolean {
  return INTENT_TASK_TRANSITIONS[state].length === 0;
}

/**
 * States in which a task waits on its client (A2A's input-required, auth-required): not terminal,
 * yet a stream or a blocking send that sees the task arrive there has nothing more to wait for
 * (A2A v1.0 §3.2.2, §11.7: streams close at a terminal or interrupted state).
 */
const INTERRUPTED_TASK_STATES: readonly IntentTaskState[] = ['input_required'];

export function isInterruptedTaskState(state: IntentTaskState): boolean {
  return INTERRUPTED_TASK_STATES.includes(state);
}

export function canMoveTask(from: IntentTaskState, to: IntentTaskState): boolean {
  return (INTENT_TASK_TRANSITIONS[from] as readonly IntentTaskState[]).includes(to);
}

/** One part of a received message: text, or structured data (any JSON value). */
export const ReceivedPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('data'), data: z.unknown() }),
]);
export type ReceivedPart = z.infer<typeof ReceivedPartSchema>;

/** The caller's message as received, kept so the task can show it in its history. */
export const ReceivedMessageSchema = z.object({
  messageId: z.string(),
  contextId: z.string().optional(),
  parts: z.array(ReceivedPartSchema),
});
export type ReceivedMessage = z.infer<typeof ReceivedMessageSchema>;

export const IntentTaskSchema = z.object({
  id: z.string(),
  contextId: z.string(),
  tenant: z.string(),
  /** Bumped on every write; writes compare it so two writers never overwrite each other. */
  version: z.number().int().nonnegative(),
  state: IntentTaskStateSchema,
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
  /**
   * Fingerprint of the request; the same message id with another request is refused. Absent
   * (with jobId, intent and answer) while the task is `input_required`, or was canceled there.
   */
  requestHash: z.string().optional(),
  jobId: z.string().optional(),
  /** The message that opened the task. */
  message: ReceivedMessageSchema,
  /** Messages received on the task after the first, oldest first. */
  followUps: z.array(ReceivedMessageSchema).optional(),
  /** The follow-up that carried the request, so a retry of it is answered, not refused. */
  requestMessageId: z.string().optional(),
  intent: CommerceIntentSchema.optional(),
  answer: IntentAnswerSchema.optional(),
  outcome: IntentOutcomeSchema.optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type IntentTask = z.infer<typeof IntentTaskSchema>;
