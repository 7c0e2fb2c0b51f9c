import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { operationsFeature } from '../../src/app/operations.js';
import type { AppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { defineJob, startJobWorker, workerClosable } from '../../src/queues/job-shell.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { shutDown } from '../../src/runtime/shutdown.js';
import { createTestContext } from '../helpers/test-context.js';

/** A job that holds until the test lets it go, and says when it started. */
function holdingJob() {
  let release!: () => void;
  let started!: (id: string) => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const startedId = new Promise<string>((resolve) => {
    started = resolve;
  });
  const finished: string[] = [];
  const job = defineJob({
    queue: 'shutdown-hold',
    PayloadSchema: z.object({}),
    async process(_payload, _deps: undefined, bullJob) {
      started(bullJob.id as string);
      await released;
      finished.push(bullJob.id as string);
    },
  });
  return { job, release, startedId, finished };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, sink), lines };
}

describe('shutDown', () => {
  let ctx: AppContext;
  afterEach(async () => ctx?.close());

  it('turns not-ready, stops taking requests, lets the active job finish, then closes', async () => {
    ctx = createTestContext();
    const { job, release, startedId, finished } = holdingJob();
    const queue = new Queue(job.queue, {
      connection: ctx.redis,
      prefix: queuePrefix(ctx.config, job.queue),
    });
    const worker = startJobWorker(job, undefined, ctx.workerConnection(), {
      logger: ctx.logger,
      prefixes: ctx.config,
    });
    const app = await buildApp(ctx, [operationsFeature(() => [])]);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const added = await queue.add('hold', {});
    expect(await startedId).toBe(added.id);

    const { logger, lines } = capture();
    let closedLast = false;
    const stopping = shutDown(
      {
        logger,
        health: ctx.health,
        server: app,
        running: [
          {
            name: 'connections',
            phase: 'connections',
            close: async () => {
              closedLast = finished.length === 1;
              await queue.close();
            },
          },
          workerClosable(ctx.health, worker),
        ],
        deadlineMs: 10_000,
        onDeadline: () => {
          throw new Error('the deadline should not pass');
        },
      },
      'SIGTERM',
    );
    expect(ctx.health.shuttingDown).toBe(true);
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    release();
    await expect(stopping).resolves.toBe('stopped');
    expect(finished).toEqual([added.id]);
    expect(closedLast).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual([
      'shutting down',
      'closed the HTTP server',
      'closed the workers',
      'closed the connections',
      'stopped',
    ]);
  });

  it('logs the jobs still active when the deadline passes, and gives up', async () => {
    ctx = createTestContext();
    const { job, release, startedId } = holdingJob();
    const queue = new Queue(job.queue, {
      connection: ctx.redis,
      prefix: queuePrefix(ctx.config, job.queue),
    });
    const worker = startJobWorker(job, undefined, ctx.workerConnection(), {
      logger: ctx.logger,
      prefixes: ctx.config,
    });
    const added = await queue.add('hold', {});
    await startedId;
    const { logger, lines } = capture();
    let gaveUp = false;
    const outcome = await shutDown(
      {
        logger,
        health: ctx.health,
        server: { close: async () => {} },
        running: [
          workerClosable(ctx.health, worker),
          { name: 'connections', phase: 'connections', close: async () => {} },
        ],
        deadlineMs: 200,
        onDeadline: () => {
          gaveUp = true;
        },
      },
      'SIGTERM',
    );
    expect(outcome).toBe('deadline');
    expect(gaveUp).toBe(true);
    const last = lines.at(-1);
    expect(last?.msg).toBe('shutdown deadline passed with work still active; exiting');
    expect(last?.still).toEqual([{ part: 'worker:shutdown-hold', active: [added.id] }]);
    release();
    await worker.close();
    await queue.close();
  });
});
