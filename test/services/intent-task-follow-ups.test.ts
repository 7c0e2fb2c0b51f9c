import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import {
  type CommerceIntent,
  INTENT_TASK_STATES,
  INTENT_TASK_TRANSITIONS,
  isInterruptedTaskState,
  isTerminalTaskState,
  type ReceivedMessage,
} from '../../src/domain/index.js';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { type FollowUpRequest, IntentTaskService } from '../../src/services/intent-tasks.js';
import { IntentTaskStore } from '../../src/store/intent-task-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const NOW = '2026-06-28T09:00:00.000Z';

const intent: CommerceIntent = {
  action: 'discover',
  productId: 'BAG-TRAVEL-42',
  context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
  actor: { actorId: 'agent-1', actorType: 'agent' },
  requestedAt: NOW,
};

function text(value: string, messageId: string = randomUUID()): ReceivedMessage {
  return { messageId, parts: [{ type: 'text', text: value }] };
}

function request(jobId: string): FollowUpRequest {
  return { jobId, requestHash: 'h', intent, answer: 'decision' };
}

describe('intent task states', () => {
  it('reach every state, and only input_required waits for the caller', () => {
    const reached = new Set<string>(['input_required', 'submitted']);
    for (const targets of Object.values(INTENT_TASK_TRANSITIONS))
      for (const target of targets) reached.add(target);
    expect([...reached].sort()).toEqual([...INTENT_TASK_STATES].sort());
    expect(INTENT_TASK_STATES.filter(isInterruptedTaskState)).toEqual(['input_required']);
    expect(INTENT_TASK_STATES.filter(isTerminalTaskState)).toEqual([
      'completed',
      'failed',
      'canceled',
    ]);
  });
});

describe('IntentTaskService follow-ups', () => {
  let redis: RedisClient;
  let queue: Queue;
  let service: IntentTaskService;
  let announced = 0;

  beforeAll(() => {
    redis = connectTestRedis();
    const prefix = uniquePrefix('follow-ups');
    queue = new Queue(INTENTS_QUEUE, { connection: redis, prefix: `{${prefix}}` });
    service = new IntentTaskService({
      store: new IntentTaskStore(redis, prefix, 3_600),
      queue,
      openEvents: () => Promise.reject(new Error('no waiting in these tests')),
      announce: async () => {
        announced += 1;
      },
      clock: manualClock(Date.parse(NOW)),
      retentionSeconds: 3_600,
    });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
  });

  async function opened() {
    const taskId = randomUUID();
    return service.open({ tenant: 'acme', taskId, contextId: taskId, message: text('hi') });
  }

  describe('when two different requests arrive at once for one waiting task', () => {
    it('continues the task with one of them and queues one job; the other finds it closed', async () => {
      const task = await opened();
      const announcedBefore = announced;
      const results = await Promise.all(
        ['a', 'b'].map((name) =>
          service.followUp({
            tenant: 'acme',
            taskId: task.id,
            message: text(`{"action":"discover"} ${name}`),
            request: request(`acme-${task.id}-${name}`),
          }),
        ),
      );
      expect(results.map((result) => result.outcome).sort()).toEqual(['closed', 'continued']);
      // Subscribers hear the one further turn, not the refused one.
      expect(announced - announcedBefore).toBe(1);
      const stored = await service.get('acme', task.id);
      expect(stored?.state).toBe('submitted');
      expect(stored?.followUps).toHaveLength(1);
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs.filter((job) => job.data.taskId === task.id)).toHaveLength(1);
    });
  });

  describe('when the same follow-up is sent twice at once', () => {
    it('keeps it once and answers the retry with the task as it is', async () => {
      const task = await opened();
      const message = text('{"action":"discover"}');
      const results = await Promise.all(
        [1, 2].map(() =>
          service.followUp({
            tenant: 'acme',
            taskId: task.id,
            message,
            request: request(`acme-${task.id}`),
          }),
        ),
      );
      expect(results.map((result) => result.outcome).sort()).toEqual(['continued', 'replayed']);
      const stored = await service.get('acme', task.id);
      expect(stored?.followUps).toEqual([message]);
      expect(stored?.requestMessageId).toBe(message.messageId);
    });
  });

  it('keeps waiting on text, each message kept in order', async () => {
    const task = await opened();
    for (const value of ['one', 'two'])
      await service.followUp({ tenant: 'acme', taskId: task.id, message: text(value) });
    const stored = await service.get('acme', task.id);
    expect(stored?.state).toBe('input_required');
    expect(stored?.followUps?.map((m) => m.parts[0])).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
    ]);
  });

  it('answers not_found for another tenant’s task, and leaves it alone', async () => {
    const task = await opened();
    const result = await service.followUp({ tenant: 'other', taskId: task.id, message: text('x') });
    expect(result.outcome).toBe('not_found');
    expect((await service.get('acme', task.id))?.version).toBe(task.version);
  });

  it('cancels a waiting task, which then takes no follow-up', async () => {
    const task = await opened();
    expect((await service.cancel('acme', task.id)).outcome).toBe('canceled');
    const result = await service.followUp({
      tenant: 'acme',
      taskId: task.id,
      message: text('{"action":"discover"}'),
      request: request(`acme-${task.id}`),
    });
    expect(result).toMatchObject({ outcome: 'closed', task: { state: 'canceled' } });
    expect((await service.cancel('acme', task.id)).outcome).toBe('not_cancelable');
  });

  it('answers a wait on a waiting task at once, without opening job events', async () => {
    const task = await opened();
    await expect(service.waitForTerminal(task, 60_000)).resolves.toEqual(task);
  });
});
