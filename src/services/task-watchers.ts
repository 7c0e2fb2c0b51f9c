import type { QueueEvents } from 'bullmq';
import type { IntentTask } from '../domain/index.js';
import { TASK_CHANGED_EVENT, TaskChangedEventSchema } from '../queues/intent-queues.js';

/**
 * Routes the intents queue's events to whoever follows a task, with one listener per event on
 * the shared QueueEvents however many requests wait at once: the events of the task's job, and
 * the task-changed events of writes no job event follows.
 */
export class TaskWatchers {
  private readonly byKey = new Map<string, Set<() => void>>();
  private open = 0;

  constructor(
    events: QueueEvents,
    private readonly onCountChanged: (open: number) => void,
  ) {
    const notify = (key: string) => {
      for (const watcher of this.byKey.get(key) ?? []) watcher();
    };
    const ofJob = ({ jobId }: { jobId: string }) => notify(`job\u0000${jobId}`);
    events.on('active', ofJob);
    events.on('completed', ofJob);
    events.on('failed', ofJob);
    // Custom events are not in QueueEvents' typed listener map.
    (events as unknown as NodeJS.EventEmitter).on(TASK_CHANGED_EVENT, (fields: unknown) => {
      const parsed = TaskChangedEventSchema.safeParse(fields);
      if (parsed.success) notify(taskKey(parsed.data.tenant, parsed.data.taskId));
    });
  }

  /** Watches the task and its current job until the returned function is called. */
  watch(task: IntentTask, watcher: () => void): () => void {
    const keys = [taskKey(task.tenant, task.id), `job\u0000${task.jobId}`];
    for (const key of keys) {
      let set = this.byKey.get(key);
      if (set === undefined) {
        set = new Set();
        this.byKey.set(key, set);
      }
      set.add(watcher);
    }
    this.onCountChanged(++this.open);
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      for (const key of keys) {
        const set = this.byKey.get(key);
        set?.delete(watcher);
        if (set?.size === 0) this.byKey.delete(key);
      }
      this.onCountChanged(--this.open);
    };
  }
}

function taskKey(tenant: string, taskId: string): string {
  return `task\u0000${tenant}\u0000${taskId}`;
}
