import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { process as processIntent } from '../../jobs/process-intent.job.js';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import type { AppContext } from '../../src/app-context.js';
import { manualClock } from '../../src/clock.js';
import type { CommerceIntent, IntentTask } from '../../src/domain/index.js';
import { createIntentExecutor } from '../../src/services/default-intent-executor.js';
import type { IntentExecutor } from '../../src/services/intent-executor.js';
import { CatalogStore } from '../../src/store/catalog-store.js';
import { IntentTaskStore } from '../../src/store/intent-task-store.js';
import { travelBackpack } from '../helpers/a2a.js';
import { createTestContext } from '../helpers/test-context.js';

const doc = travelBackpack();
const clock = manualClock(Date.parse(doc.now));

const intent: CommerceIntent = {
  action: 'quote_policy',
  policyDomain: 'returns',
  productId: 'BAG-TRAVEL-42',
  context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
  actor: { actorId: 'agent-1', actorType: 'agent' },
  requestedAt: doc.now,
};

function submitted(id: string): IntentTask {
  return {
    id,
    contextId: id,
    tenant: 'acme',
    version: 0,
    state: 'submitted',
    createdAt: doc.now,
    updatedAt: doc.now,
    requestHash: 'h',
    jobId: `acme-${id}`,
    message: { messageId: id, parts: [] },
    intent,
    answer: 'decision',
  };
}

/** An executor that fails the way the test says, to watch the job's bookkeeping. */
function failing(error: Error): IntentExecutor & { calls: number } {
  const executor = {
    calls: 0,
    supports: () => true,
    async execute(): Promise<never> {
      executor.calls += 1;
      throw error;
    },
  };
  return executor;
}

describe('process-intent job', () => {
  let ctx: AppContext;
  let tasks: IntentTaskStore;
  let executor: IntentExecutor;
  const firstAttempt = { attemptsMade: 0, opts: { attempts: 3 } };

  beforeAll(async () => {
    ctx = createTestContext({}, clock);
    const prefix = ctx.config.KEY_PREFIX;
    tasks = new IntentTaskStore(ctx.redis, prefix, 3_600);
    const catalog = new CatalogStore(ctx.redis, prefix, 'acme');
    await catalog.putProducts(doc.products);
    for (const policy of doc.policies) await catalog.putPolicy(policy);
    executor = createIntentExecutor({ profiles: catalogRuntime(ctx).profiles });
  });
  afterAll(async () => {
    await catalogRuntime(ctx).close();
    await ctx.close();
  });

  describe('when the decision is blocked', () => {
    it('completes the task with the blocked decision (a result, not a failure)', async () => {
      await tasks.createIfAbsent(submitted('blocked'));
      const result = await processIntent(
        { tenant: 'acme', taskId: 'blocked', intent, answer: 'decision' },
        { executor, tasks, clock },
        firstAttempt,
      );
      expect(result).toEqual({ state: 'completed', kind: 'decision' });
      const task = await tasks.get('acme', 'blocked');
      expect(task?.state).toBe('completed');
      expect(task?.outcome).toMatchObject({
        kind: 'decision',
        decision: { result: 'blocked', blockers: [{ code: 'RETURN_POLICY_MISSING' }] },
      });
    });
  });

  describe('when the task was canceled before the job started', () => {
    it('skips it without calling the executor', async () => {
      await tasks.createIfAbsent({ ...submitted('canceled'), state: 'canceled' });
      const spy = failing(new Error('must not run'));
      const result = await processIntent(
        { tenant: 'acme', taskId: 'canceled', intent, answer: 'decision' },
        { executor: spy, tasks, clock },
        firstAttempt,
      );
      expect(result).toEqual({ state: 'skipped', reason: 'task canceled' });
      expect(spy.calls).toBe(0);
    });
  });

  describe('when the executor faults', () => {
    it('keeps the task working while retries remain, and fails it on the last attempt', async () => {
      await tasks.createIfAbsent(submitted('fault'));
      const payload = { tenant: 'acme', taskId: 'fault', intent, answer: 'decision' as const };
      const deps = { executor: failing(new Error('redis hiccup')), tasks, clock };
      await expect(processIntent(payload, deps, firstAttempt)).rejects.toThrow('redis hiccup');
      expect((await tasks.get('acme', 'fault'))?.state).toBe('working');
      await expect(
        processIntent(payload, deps, { attemptsMade: 2, opts: { attempts: 3 } }),
      ).rejects.toThrow('redis hiccup');
      const failed = await tasks.get('acme', 'fault');
      expect(failed?.state).toBe('failed');
      // The internal message stays in the log, not on the task an agent reads.
      expect(failed?.failure).toEqual({
        code: 'PROCESSING_FAILED',
        message: 'processing failed after retries',
      });
    });

    it('fails the task at once on an unrecoverable error', async () => {
      await tasks.createIfAbsent(submitted('fatal'));
      await expect(
        processIntent(
          { tenant: 'acme', taskId: 'fatal', intent, answer: 'decision' },
          { executor: failing(new UnrecoverableError('no such action')), tasks, clock },
          firstAttempt,
        ),
      ).rejects.toThrow('no such action');
      expect((await tasks.get('acme', 'fatal'))?.failure?.message).toBe('no such action');
    });
  });
});
