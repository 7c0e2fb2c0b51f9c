import { z } from 'zod';
import { CommerceIntentSchema } from './intent.js';
import { IntentAnswerSchema, IntentOutcomeSchema } from './intent-outcome.js';
import { InstantSchema } from './time.js';

/**
 * An accepted intent and how far its processing got. Protocol-neutral: each ingress that queues
 * intents projects it as its own protocol's task (src/adapters/a2a does so for both versions).
 */
export const INTENT_TASK_STATES = [
  'submitted',
  'working',
  'completed',
  'failed',
  'canceled',
] as const;
export const IntentTaskStateSchema = z.enum(INTENT_TASK_STATES);
export type IntentTaskState = z.infer<typeof IntentTaskStateSchema>;

/** Which state may follow which. Terminal states have no way out. */
export const INTENT_TASK_TRANSITIONS = {
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
 * (A2A v1.0 §3.2.2, §11.7: streams close at a terminal or interrupted state). None yet.
 */
const INTERRUPTED_TASK_STATES: readonly IntentTaskState[] = [];

export function isInterruptedTaskState(state: IntentTaskState): boolean {
  return INTERRUPTED_TASK_STATES.includes(state);
}

export function canMoveTask(from: IntentTaskState, to: IntentTaskState): boolean {
  return (INTENT_TASK_TRANSITIONS[from] as readonly IntentTaskState[]).includes(to);
}

/** The caller's message as received, kept so the task can show it in its history. */
export const ReceivedMessageSchema = z.object({
  messageId: z.string(),
  contextId: z.string().optional(),
  parts: z.array(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('text'), text: z.string() }),
      z.object({ type: z.literal('data'), data: z.record(z.string(), z.unknown()) }),
    ]),
  ),
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
  /** Fingerprint of the request; the same message id with another request is refused. */
  requestHash: z.string(),
  jobId: z.string(),
  message: ReceivedMessageSchema,
  intent: CommerceIntentSchema,
  answer: IntentAnswerSchema,
  outcome: IntentOutcomeSchema.optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type IntentTask = z.infer<typeof IntentTaskSchema>;
