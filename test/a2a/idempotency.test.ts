import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import {
  type A2aHarness,
  ACME_TOKEN,
  OTHER_TOKEN,
  postRpc,
  RETURN_TERMS,
  startA2aHarness,
} from '../helpers/a2a.js';

function sendV1(messageId: string, data: unknown = RETURN_TERMS) {
  return {
    jsonrpc: '2.0',
    id: randomUUID(),
    method: 'SendMessage',
    params: {
      message: { messageId, role: 'ROLE_USER', parts: [{ data }] },
      configuration: { returnImmediately: true },
    },
  };
}

const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'a2a-version': '1.0' });

/** An A2A harness without workers, so every job the sends create stays in its queue. */
async function startCounting(): Promise<{
  harness: A2aHarness;
  queue: Queue;
  close(): Promise<void>;
}> {
  const harness = await startA2aHarness({ workers: false });
  const queue = new Queue(INTENTS_QUEUE, {
    connection: harness.ctx.redis,
    prefix: queuePrefix(harness.ctx.config, INTENTS_QUEUE),
  });
  return {
    harness,
    queue,
    async close() {
      await queue.close();
      await harness.close();
    },
  };
}

describe('A2A idempotency', () => {
  let harness: A2aHarness;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ harness, close } = await startCounting());
  });
  afterAll(() => close());

  describe('when one message id is sent 20 times at once', () => {
    // A harness of its own: this test counts every job and task, which the others here add to.
    let harness: A2aHarness;
    let queue: Queue;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ harness, queue, close } = await startCounting());
    });
    afterAll(() => close());

    it('makes one task and one job, and every answer names that task', async () => {
      const messageId = randomUUID();
      const replies = await Promise.all(
        Array.from({ length: 20 }, () =>
          postRpc(harness.baseUrl, sendV1(messageId), headers(ACME_TOKEN)),
        ),
      );
      const taskIds = new Set(replies.map((reply) => reply.body.result?.task?.id));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      expect(taskIds.size).toBe(1);

      const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.data).toMatchObject({
        tenant: 'acme',
        taskId: [...taskIds][0],
        intent: { action: 'quote_policy', policyDomain: 'returns', context: { region: 'EU' } },
      });

      const listed = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} },
        headers(ACME_TOKEN),
      );
      expect(listed.body.result.totalSize).toBe(1);
    });
  });

  it('refuses the same message id reused for a different request', async () => {
    const messageId = randomUUID();
    await postRpc(harness.baseUrl, sendV1(messageId), headers(ACME_TOKEN));
    const reused = await postRpc(
      harness.baseUrl,
      sendV1(messageId, { ...RETURN_TERMS, country: 'US' }),
      headers(ACME_TOKEN),
    );
    expect(reused.body.error).toMatchObject({ code: -32602 });
  });

  it('keeps the same message id of two tenants apart', async () => {
    const messageId = randomUUID();
    const ours = await postRpc(harness.baseUrl, sendV1(messageId), headers(ACME_TOKEN));
    const theirs = await postRpc(harness.baseUrl, sendV1(messageId), headers(OTHER_TOKEN));
    expect(ours.body.result.task.id).not.toBe(theirs.body.result.task.id);
  });
});
