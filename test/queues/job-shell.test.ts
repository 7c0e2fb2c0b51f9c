import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppContext } from '../../src/app-context.js';
import { defineJob, enqueue, startJobWorker, workerClosable } from '../../src/queues/job-shell.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { createTestContext } from '../helpers/test-context.js';

interface Deps {
  seen: string[];
  started(jobId: string | undefined): void;
  release: Promise<void>;
}

const echo = defineJob({
  queue: 'shell-echo',
  PayloadSchema: z.object({ word: z.string().min(1) }),
  async process(payload: { word: string }, deps: Deps, job) {
    deps.seen.push(payload.word);
    if (payload.word === 'wait') {
      deps.started(job.id);
      await deps.release;
    }
    return payload.word.toUpperCase();
  },
});

describe('the job shell', () => {
  let ctx: AppContext;
  let queue: Queue;
  let events: QueueEvents;
  let release!: () => void;
  let started!: (jobId: string | undefined) => void;
  const startedJob = new Promise<string | undefined>((resolve) => {
    started = resolve;
  });
  const deps: Deps = {
    seen: [],
    started: (id) => started(id),
    release: new Promise<void>((resolve) => {
      release = resolve;
    }),
  };

  beforeAll(async () => {
    ctx = createTestContext();
    queue = new Queue(echo.queue, {
      connection: ctx.redis,
      prefix: queuePrefix(ctx.config, echo.queue),
    });
    events = new QueueEvents(echo.queue, {
      connection: ctx.workerConnection(),
      prefix: queuePrefix(ctx.config, echo.queue),
    });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events.close();
    await queue.close();
    await ctx.close();
  });

  it('refuses to enqueue a payload its schema rejects', async () => {
    await expect(enqueue(queue, echo, 'bad', { word: '' })).rejects.toThrow(
      /refusing to enqueue: word/,
    );
    expect(await queue.count()).toBe(0);
  });

  it('processes valid jobs, fails a malformed one without retrying, and records durations', async () => {
    const worker = startJobWorker(echo, deps, ctx.workerConnection(), {
      logger: ctx.logger,
      metrics: ctx.metrics,
      prefixes: ctx.config,
    });
    const closable = workerClosable(ctx.health, worker);
    try {
      const good = await enqueue(queue, echo, 'good', { word: 'hello' });
      await expect(good.waitUntilFinished(events)).resolves.toBe('HELLO');

      // Slipped past enqueue (written straight to the queue): failed as unrecoverable, once.
      const smuggled = await queue.add('smuggled', { word: 42 }, { attempts: 5 });
      await expect(smuggled.waitUntilFinished(events)).rejects.toThrow(
        /invalid shell-echo payload/,
      );
      const failed = await queue.getJob(smuggled.id as string);
      expect(failed?.attemptsMade).toBe(1);

      const waiting = await enqueue(queue, echo, 'slow', { word: 'wait' });
      expect(await startedJob).toBe(waiting.id);
      expect(closable.active?.()).toEqual([waiting.id]);
      expect((await ctx.health.report()).checks[`worker:${echo.queue}`]).toBe(true);
      release();
      await waiting.waitUntilFinished(events);

      const metrics = await ctx.metrics.registry.getSingleMetricAsString(
        'acw_job_duration_seconds',
      );
      expect(metrics).toMatch(
        /acw_job_duration_seconds_count\{queue="shell-echo",outcome="completed"\} 2/,
      );
    } finally {
      await closable.close();
    }
    expect((await ctx.health.report()).checks[`worker:${echo.queue}`]).toBe(false);
  });
});
