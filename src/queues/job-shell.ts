import {
  DelayedError,
  type Job,
  type JobsOptions,
  type Queue,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Closable } from '../runtime/closable.js';
import type { HealthRegistry } from '../runtime/health.js';
import type { RedisClient } from '../store/redis.js';
import { type QueuePrefixSettings, queuePrefix } from './queue-groups.js';

/**
 * The shape of every `jobs/<name>.job.ts`: a queue name, a payload schema and a processor.
 * The shell below parses payloads on both sides, so a malformed job is refused at enqueue and,
 * if one slips into Redis anyway, failed as unrecoverable instead of retried forever.
 */
export interface JobDefinition<Schema extends z.ZodType, Deps, Result = unknown> {
  queue: string;
  PayloadSchema: Schema;
  process(payload: z.infer<Schema>, deps: Deps, job: Job): Promise<Result>;
}

export function defineJob<Schema extends z.ZodType, Deps, Result>(
  definition: JobDefinition<Schema, Deps, Result>,
): JobDefinition<Schema, Deps, Result> {
  return definition;
}

export class InvalidJobPayloadError extends UnrecoverableError {
  constructor(queue: string, issues: string) {
    super(`invalid ${queue} payload: ${issues}`);
    this.name = 'InvalidJobPayloadError';
  }
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Adds a job after checking its payload against the job's schema. */
export async function enqueue<Schema extends z.ZodType>(
  queue: Queue,
  definition: Pick<JobDefinition<Schema, unknown>, 'queue' | 'PayloadSchema'>,
  name: string,
  payload: z.input<Schema>,
  options?: JobsOptions,
): Promise<Job> {
  const parsed = definition.PayloadSchema.safeParse(payload);
  if (!parsed.success) throw new Error(`refusing to enqueue: ${issuesOf(parsed.error)}`);
  return queue.add(name, parsed.data, options);
}

const activeByWorker = new WeakMap<Worker, Set<string>>();

/** Ids of the jobs a worker started by startJobWorker is processing right now. */
export function activeJobIds(worker: Worker): string[] {
  return [...(activeByWorker.get(worker) ?? [])];
}

/**
 * Wraps a worker for main.ts: readiness reports whether it runs, close() lets active jobs finish,
 * and what was still active at the shutdown deadline can be logged.
 */
export function workerClosable(health: HealthRegistry, worker: Worker): Closable {
  health.register(`worker:${worker.name}`, () => worker.isRunning());
  return {
    name: `worker:${worker.name}`,
    phase: 'workers',
    close: () => worker.close(),
    active: () => activeJobIds(worker),
  };
}

/** Starts a BullMQ worker for a job definition, with the shell's payload check in front. */
export function startJobWorker<Schema extends z.ZodType, Deps, Result>(
  definition: JobDefinition<Schema, Deps, Result>,
  deps: Deps,
  connection: RedisClient,
  options: Omit<WorkerOptions, 'connection' | 'prefix'> & {
    logger: Logger;
    metrics?: Metrics;
    /** The queue's prefix comes from these and the queue's group (queue-groups.ts). */
    prefixes: QueuePrefixSettings;
  },
): Worker {
  const { logger, metrics, prefixes, ...options_ } = options;
  const workerOptions = { ...options_, prefix: queuePrefix(prefixes, definition.queue) };
  const active = new Set<string>();
  const worker = new Worker(
    definition.queue,
    async (job) => {
      const parsed = definition.PayloadSchema.safeParse(job.data);
      if (!parsed.success)
        throw new InvalidJobPayloadError(definition.queue, issuesOf(parsed.error));
      const id = job.id ?? job.name;
      active.add(id);
      const stopTimer = metrics?.jobDuration.startTimer({ queue: definition.queue });
      try {
        const result = await definition.process(parsed.data, deps, job);
        stopTimer?.({ outcome: 'completed' });
        return result;
      } catch (error) {
        // A job that moved itself to delayed (held, not failed) says so.
        stopTimer?.({ outcome: error instanceof DelayedError ? 'delayed' : 'failed' });
        throw error;
      } finally {
        active.delete(id);
      }
    },
    { ...workerOptions, connection },
  );
  activeByWorker.set(worker, active);
  worker.on('failed', (job, error) => {
    logger.warn(
      { queue: definition.queue, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error },
      'job failed',
    );
  });
  worker.on('error', (error) =>
    logger.error({ queue: definition.queue, err: error }, 'worker error'),
  );
  return worker;
}
