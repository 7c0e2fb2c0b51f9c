import type { JobsOptions, Queue, QueueEvents } from 'bullmq';
import type { Clock } from '../clock.js';
import type { IntentAnswer } from '../domain/index.js';
import {
  type CommerceIntent,
  canonicalJson,
  type IntentOutcome,
  type IntentTask,
  isInterruptedTaskState,
  isTerminalTaskState,
  type ReceivedMessage,
  toInstant,
} from '../domain/index.js';
import {
  type ProcessIntentPayload,
  processIntentQueue,
  type TaskChangedEvent,
} from '../queues/intent-queues.js';
import { enqueue } from '../queues/job-shell.js';
import type {
  IntentTaskStore,
  TaskCursor,
  TaskListPage,
  TaskListQuery,
} from '../store/intent-task-store.js';
import { TaskWatchers } from './task-watchers.js';

export type { TaskCursor };

export interface Submission {
  tenant: string;
  taskId: string;
  jobId: string;
  contextId: string;
  requestHash: string;
  message: ReceivedMessage;
  intent: CommerceIntent;
  answer: IntentAnswer;
}

/** A message that held no request: it opens a task that asks for one. */
export interface Opening {
  tenant: string;
  taskId: string;
  contextId: string;
  message: ReceivedMessage;
}

/** The request a follow-up carries, with the ids its job and intent use. */
export interface FollowUpRequest {
  jobId: string;
  requestHash: string;
  intent: CommerceIntent;
  answer: IntentAnswer;
}

/** A further message on a task; with `request`, the request the task was waiting for. */
export interface FollowUp {
  tenant: string;
  taskId: string;
  message: ReceivedMessage;
  request?: FollowUpRequest;
}

export type FollowUpResult =
  /** Kept on the task; with a request, the task is now `submitted` and its job queued. */
  | { outcome: 'continued'; task: IntentTask }
  /** The same message (id and parts) was received before: the task as it is now. */
  | { outcome: 'replayed'; task: IntentTask }
  | { outcome: 'not_found' }
  /** The task no longer waits for input (processing, or terminal). */
  | { outcome: 'closed'; task: IntentTask };

/**
 * What a request answered in the ingress itself came to: a product watch runs no job, the
 * subscription service answers it at once (a stored subscription, or why not).
 */
export type SettledAnswer =
  | { state: 'completed'; outcome: IntentOutcome }
  | { state: 'failed'; failure: { code: string; message: string } };

/** A request already answered, to keep as a task like any other (read, listed, replayed). */
export interface Answered {
  tenant: string;
  taskId: string;
  contextId: string;
  requestHash: string;
  message: ReceivedMessage;
  answer: SettledAnswer;
}

export type SubmitResult =
  | { outcome: 'accepted'; task: IntentTask; created: boolean }
  | { outcome: 'conflict'; task: IntentTask };

export type CancelResult =
  | { outcome: 'canceled'; task: IntentTask }
  | { outcome: 'not_found' }
  | { outcome: 'not_cancelable'; task: IntentTask };

/** Every message a task has received, oldest first. */
export function messagesOf(task: IntentTask): ReceivedMessage[] {
  return [task.message, ...(task.followUps ?? [])];
}

function isSameMessage(a: ReceivedMessage, b: ReceivedMessage): boolean {
  return a.messageId === b.messageId && canonicalJson(a.parts) === canonicalJson(b.parts);
}

/** A task waits (blocking sends, streams) until it is terminal or waits on the caller. */
function isSettled(task: IntentTask): boolean {
  return isTerminalTaskState(task.state) || isInterruptedTaskState(task.state);
}

/** How a task is followed: how long at most, who may stop it, and who hears each change. */
export interface FollowOptions {
  /** Stop after this long; the task is then answered as it is. */
  limitMs: number;
  /** Aborted when the follower goes away (a stream's client disconnects): stop and let go. */
  signal?: AbortSignal;
  /** Called with the task each time it is seen changed, in the order it changed. */
  onChange?: (task: IntentTask) => void;
}

/**
 * Whether following `opened` can stop at `current`: a terminal task changes no more, and one
 * that has since come to wait on its client (input-required) has nothing more to say until
 * the client speaks. A task already waiting when followed is followed until it moves on.
 */
function followEnds(opened: IntentTask, current: IntentTask): boolean {
  return (
    isTerminalTaskState(current.state) ||
    (isInterruptedTaskState(current.state) && current.version !== opened.version)
  );
}

export interface IntentTaskServiceDeps {
  store: IntentTaskStore;
  queue: Queue;
  /**
   * Opens the queue's event stream on first use. Lazily, because BullMQ's QueueEvents cannot be
   * closed while its connection has never been ready: opened only once a submit has reached
   * Redis, it never holds a shutdown with Redis down.
   */
  openEvents(): Promise<QueueEvents>;
  clock: Clock;
  retentionSeconds: number;
  /**
   * Publishes a task-changed event on the intents queue's event stream, so followers of the
   * task on every process read it again.
   */
  announce(event: TaskChangedEvent): Promise<void>;
  /** Told how many task watches are open on this process each time the number changes. */
  onWatchesChanged?: (open: number) => void;
}

/**
 * Accepts intents as tasks and queues them, once per idempotency key: the task is created if
 * absent (atomically) and the job id derives from the same key, so a message sent twenty times
 * at once makes one task and one job. Reads and cancels are scoped to the caller's tenant.
 */
export class IntentTaskService {
  private watchers: Promise<TaskWatchers> | undefined;

  constructor(private readonly deps: IntentTaskServiceDeps) {}

  private jobWatchers(): Promise<TaskWatchers> {
    this.watchers ??= this.deps
      .openEvents()
      .then((events) => new TaskWatchers(events, this.deps.onWatchesChanged ?? (() => {})));
    return this.watchers;
  }

  private jobOptions(jobId: string): JobsOptions {
    const age = this.deps.retentionSeconds;
    return {
      jobId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age },
      removeOnFail: { age },
    };
  }

  async submit(submission: Submission): Promise<SubmitResult> {
    const now = toInstant(this.deps.clock.nowMs());
    const { task, created } = await this.deps.store.createIfAbsent({
      id: submission.taskId,
      contextId: submission.contextId,
      tenant: submission.tenant,
      version: 0,
      state: 'submitted',
      createdAt: now,
      updatedAt: now,
      requestHash: submission.requestHash,
      jobId: submission.jobId,
      message: submission.message,
      intent: submission.intent,
      answer: submission.answer,
    });
    if (!created && task.requestHash !== submission.requestHash)
      return { outcome: 'conflict', task };
    await this.queueIfSubmitted(task);
    return { outcome: 'accepted', task, created };
  }

  /**
   * Keeps a request answered without a job as a terminal task, once per id: a resent message
   * finds the task it made (or, with another request, a conflict), as `submit` does.
   */
  async record(answered: Answered): Promise<SubmitResult> {
    const now = toInstant(this.deps.clock.nowMs());
    const { answer } = answered;
    const { task, created } = await this.deps.store.createIfAbsent({
      id: answered.taskId,
      contextId: answered.contextId,
      tenant: answered.tenant,
      version: 0,
      state: answer.state,
      createdAt: now,
      updatedAt: now,
      requestHash: answered.requestHash,
      message: answered.message,
      ...(answer.state === 'completed' ? { outcome: answer.outcome } : { failure: answer.failure }),
    });
    if (!created && task.requestHash !== answered.requestHash) return { outcome: 'conflict', task };
    return { outcome: 'accepted', task, created };
  }

  /**
   * A task still `submitted` is (re)queued: BullMQ keeps one job per id, so this is a no-op
   * when the job exists and a repair when the process died between the write and the enqueue.
   */
  private async queueIfSubmitted(task: IntentTask): Promise<void> {
    if (task.state !== 'submitted') return;
    const { intent, answer, jobId } = task;
    // A submitted task always has them; the schema keeps them optional for input_required.
    if (intent === undefined || answer === undefined || jobId === undefined) return;
    const payload: ProcessIntentPayload = { tenant: task.tenant, taskId: task.id, intent, answer };
    await enqueue(
      this.deps.queue,
      processIntentQueue,
      'process-intent',
      payload,
      this.jobOptions(jobId),
    );
  }

  /** Opens a task that waits for a request; its id is fresh, so it is always created. */
  async open(opening: Opening): Promise<IntentTask> {
    const now = toInstant(this.deps.clock.nowMs());
    const { task } = await this.deps.store.createIfAbsent({
      id: opening.taskId,
      contextId: opening.contextId,
      tenant: opening.tenant,
      version: 0,
      state: 'input_required',
      createdAt: now,
      updatedAt: now,
      message: opening.message,
    });
    return task;
  }

  /**
   * Adds a message to a task that waits for input, atomically (compare-and-set): with a request
   * the task becomes `submitted` and its job is queued; without one it keeps waiting. A message
   * already on the task is answered with the task as it is, so a retry changes nothing.
   */
  async followUp(followUp: FollowUp): Promise<FollowUpResult> {
    let outcome: 'continued' | 'replayed' | 'closed' = 'closed';
    const task = await this.deps.store.update(followUp.tenant, followUp.taskId, (current) => {
      if (messagesOf(current).some((seen) => isSameMessage(seen, followUp.message))) {
        outcome = 'replayed';
        return undefined;
      }
      if (!isInterruptedTaskState(current.state)) {
        outcome = 'closed';
        return undefined;
      }
      outcome = 'continued';
      const next: IntentTask = {
        ...current,
        followUps: [...(current.followUps ?? []), followUp.message],
        updatedAt: toInstant(this.deps.clock.nowMs()),
      };
      const request = followUp.request;
      if (request === undefined) return next;
      return {
        ...next,
        state: 'submitted',
        requestMessageId: followUp.message.messageId,
        requestHash: request.requestHash,
        jobId: request.jobId,
        intent: request.intent,
        answer: request.answer,
      };
    });
    if (task === undefined) return { outcome: 'not_found' };
    if (outcome === 'closed') return { outcome, task };
    await this.queueIfSubmitted(task);
    // A further turn: the task's own job events (if it has a job yet) are not the ones its
    // subscribers watch.
    if (outcome === 'continued') await this.announceChange(task);
    return { outcome, task };
  }

  get(tenant: string, id: string): Promise<IntentTask | undefined> {
    return this.deps.store.get(tenant, id);
  }

  list(tenant: string, query: TaskListQuery): Promise<TaskListPage> {
    return this.deps.store.list(tenant, query, this.deps.clock.nowMs());
  }

  /**
   * Only a task no worker has picked up (or one still waiting for input) can be canceled; its
   * job, if it has one, is then dropped.
   */
  async cancel(tenant: string, id: string): Promise<CancelResult> {
    let canceledNow = false;
    const task = await this.deps.store.update(tenant, id, (current) => {
      canceledNow = current.state === 'submitted' || isInterruptedTaskState(current.state);
      return canceledNow
        ? { ...current, state: 'canceled', updatedAt: toInstant(this.deps.clock.nowMs()) }
        : undefined;
    });
    if (task === undefined) return { outcome: 'not_found' };
    if (!canceledNow) return { outcome: 'not_cancelable', task };
    // The job may have been taken meanwhile; it then sees `canceled` and skips.
    if (task.jobId !== undefined) await this.deps.queue.remove(task.jobId).catch(() => 0);
    await this.announceChange(task);
    return { outcome: 'canceled', task };
  }

  /**
   * Tells everyone following the task, on any process, that it changed. For writes no job event
   * follows: a cancel, or a further turn that puts the task under another job. The write is
   * already done, so a failure to announce is not the caller's failure: followers then see the
   * change at their next job event or when their limit passes.
   */
  async announceChange(task: IntentTask): Promise<void> {
    await this.deps.announce({ tenant: task.tenant, taskId: task.id }).catch(() => undefined);
  }

  /**
   * Waits until the task is terminal (or has come to wait on its client) or `limitMs` passes,
   * calling `onChange` on every state it moves through, and resolves with the task as it then is.
   */
  waitForTerminal(
    task: IntentTask,
    limitMs: number,
    onChange?: (task: IntentTask) => void,
  ): Promise<IntentTask> {
    if (isSettled(task)) return Promise.resolve(task);
    return this.follow(task, { limitMs, onChange });
  }

  /**
   * Follows a task until it ends (see followEnds), the limit passes or the signal aborts, and
   * resolves with the task as last seen. Job events only wake the follower; the store is the
   * truth, read after every event and once more after subscribing (the job may have finished
   * before the subscription). The watch is released on every way out.
   */
  async follow(task: IntentTask, options: FollowOptions): Promise<IntentTask> {
    const { limitMs, signal, onChange } = options;
    if (isTerminalTaskState(task.state) || limitMs <= 0 || signal?.aborted) return task;
    const watchers = await this.jobWatchers();
    if (signal?.aborted) return task;
    let last = task;
    return new Promise<IntentTask>((resolve) => {
      let settled = false;
      let reading = Promise.resolve();
      let watched = task;
      let unwatch: () => void = () => {};
      const settle = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', settle);
        unwatch();
        resolve(last);
      };
      const check = () => {
        reading = reading.then(async () => {
          if (settled) return;
          const current = await this.deps.store.get(task.tenant, task.id).catch(() => undefined);
          if (current === undefined || settled) return;
          if (current.version !== last.version) {
            last = current;
            onChange?.(current);
          }
          if (followEnds(task, current)) {
            settle();
            return;
          }
          // A task that takes another turn runs under another job: follow that one's events.
          if (current.jobId !== watched.jobId) {
            unwatch();
            watched = current;
            unwatch = watchers.watch(watched, check);
            check();
          }
        });
      };
      unwatch = watchers.watch(watched, check);
      signal?.addEventListener('abort', settle, { once: true });
      const timer = setTimeout(() => {
        // One last read so a result that landed with the timer is not missed.
        check();
        void reading.then(settle);
      }, limitMs);
      check();
    });
  }
}
