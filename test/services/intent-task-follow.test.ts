import { Queue, QueueEvents, QueueEventsProducer, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { manualClock } from '../../src/clock.js';
import type { CommerceIntent, IntentTask, IntentTaskState } from '../../src/domain/index.js';
import { INTENTS_QUEUE, TASK_CHANGED_EVENT } from '../../src/queues/intent-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { IntentTaskService } from '../../src/services/intent-tasks.js';
import { IntentTaskStore } from '../../src/store/intent-task-store.js';
import { createTestContext } from '../helpers/test-context.js';

const NOW = '2026-06-28T09:00:00.000Z';
const clock = manualClock(Date.parse(NOW));

const intent: CommerceIntent = {
  action: 'quote_policy',
  policyDomain: 'returns',
  productId: 'BAG-TRAVEL-42',
  context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
  actor: { actorId: 'agent-1', actorType: 'agent' },
  requestedAt: NOW,
};

/**
 * One IntentTaskService as an ingress process has it: its own QueueEvents and event producer on
 * the shared queue, so two of them stand for two processes.
 */
function serviceOn(ctx: AppContext, store: IntentTaskStore) {
  const connection = { connection: ctx.producer, prefix: queuePrefix(ctx.config, INTENTS_QUEUE) };
  const queue = new Queue(INTENTS_QUEUE, connection);
  const producer = new QueueEventsProducer(INTENTS_QUEUE, connection);
  const events = new QueueEvents(INTENTS_QUEUE, {
    connection: ctx.workerConnection(),
    prefix: queuePrefix(ctx.config, INTENTS_QUEUE),
  });
  const service = new IntentTaskService({
    store,
    queue,
    openEvents: async () => {
      await events.waitUntilReady();
      return events;
    },
    announce: async (event) => {
      await producer.publishEvent({ eventName: TASK_CHANGED_EVENT, ...event });
    },
    clock,
    retentionSeconds: 3600,
  });
  return {
    service,
    queue,
    close: () => Promise.all([events.close(), producer.close(), queue.close()]),
  };
}

describe('IntentTaskService.follow', () => {
  let ctx: AppContext;
  let store: IntentTaskStore;
  let follower: ReturnType<typeof serviceOn>;
  let writer: ReturnType<typeof serviceOn>;

  beforeAll(() => {
    ctx = createTestContext({}, clock);
    store = new IntentTaskStore(ctx.producer, ctx.config.KEY_PREFIX, 3600);
    follower = serviceOn(ctx, store);
    writer = serviceOn(ctx, store);
  });
  afterAll(async () => {
    await Promise.all([follower.close(), writer.close()]);
    await ctx.close();
  });

  async function submitted(id: string): Promise<IntentTask> {
    const submit = await writer.service.submit({
      tenant: 'acme',
      taskId: id,
      jobId: `acme-${id}-turn-1`,
      contextId: id,
      requestHash: 'h',
      message: { messageId: id, parts: [] },
      intent,
      answer: 'decision',
    });
    // Nothing runs turn 1: it is only there to be moved past.
    await writer.queue.remove(submit.task.jobId ?? '');
    return submit.task;
  }

  describe('when another process moves the task to a further turn under another job', () => {
    it('hears the announcement, follows the new job and ends when that job completes it', async () => {
      const id = `follow-${Date.now()}`;
      const task = await submitted(id);
      const seen: IntentTaskState[] = [];
      const followed = follower.service.follow(task, {
        limitMs: 60_000,
        onChange: (current) => seen.push(current.state),
      });

      // The next turn: the task goes to `working` under job 2, which only then is queued.
      const nextJob = `acme-${id}-turn-2`;
      const moved = await store.update('acme', id, (current) => ({
        ...current,
        state: 'working',
        jobId: nextJob,
      }));
      if (moved === undefined) throw new Error('task gone');
      await writer.service.announceChange(moved);
      // Job 2 finishes the task; only its job event can tell the follower.
      const worker = new Worker(
        INTENTS_QUEUE,
        async (job) => {
          if (job.id === nextJob)
            await store.update('acme', id, (current) => ({ ...current, state: 'completed' }));
        },
        { connection: ctx.workerConnection(), prefix: queuePrefix(ctx.config, INTENTS_QUEUE) },
      );
      try {
        await writer.queue.add('process-intent', {}, { jobId: nextJob });
        const last = await followed;
        expect(last.state).toBe('completed');
        expect(seen).toEqual(['working', 'completed']);
      } finally {
        await worker.close();
      }
    });
  });

  describe('when the follower goes away', () => {
    it('resolves with the task as it was last seen, at once', async () => {
      const task = await submitted(`gone-${Date.now()}`);
      const gone = new AbortController();
      const followed = follower.service.follow(task, { limitMs: 60_000, signal: gone.signal });
      gone.abort();
      await expect(followed).resolves.toMatchObject({ id: task.id, state: 'submitted' });
    });
  });
});
