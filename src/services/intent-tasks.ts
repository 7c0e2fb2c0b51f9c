import type { JobsOptions, Queue, QueueEvents } from 'bullmq';
import type { Clock } from '../clock.js';
import type { IntentAnswer } from '../domain/index.js';
import {
  type CommerceIntent,
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

export type SubmitResult =
  | { outcome: 'accepted'; task: IntentTask; created: boolean }
  | { outcome: 'conflict'; task: IntentTask };

export type CancelResult =
  | { outcome: 'canceled'; task: IntentTask }
  | { outcome: 'not_found' }
  | { outcome: 'not_cancelable'; task: IntentTask };

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
    // A task still `submitted` is (re)queued: BullMQ keeps one job per id, so this is a no-op
    // when the job exists and a repair when the process died between create and enqueue.
    if (task.state === 'submitted') {
      const payload: ProcessIntentPayload = {
        tenant: task.tenant,
        taskId: task.id,
        intent: task.intent,
        answer: task.answer,
      };
      await enqueue(
        this.deps.queue,
        processIntentQueue,
        'process-intent',
        payload,
        this.jobOptions(task.jobId),
      );
    }
    return { outcome: 'accepted', task, created };
  }

  get(tenant: string, id: string): Promise<IntentTask | undefined> {
    return this.deps.store.get(tenant, id);
  }

  list(tenant: string, query: TaskListQuery): Promise<TaskListPage> {
    return this.deps.store.list(tenant, query, this.deps.clock.nowMs());
  }

  /** Only a task no worker has picked up can be canceled; its job is then dropped. */
  async cancel(tenant: string, id: string): Promise<CancelResult> {
    let canceledNow = false;
    const task = await this.deps.store.update(tenant, id, (current) => {
      canceledNow = current.state === 'submitted';
      return canceledNow
        ? { ...current, state: 'canceled', updatedAt: toInstant(this.deps.clock.nowMs()) }
        : undefined;
    });
    if (task === undefined) return { outcome: 'not_found' };
    if (!canceledNow) return { outcome: 'not_cancelable', task };
    // The job may have been taken meanwhile; it then sees `canceled` and skips.
    await this.deps.queue.remove(task.jobId).catch(() => 0);
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
