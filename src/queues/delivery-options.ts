import type { AdvancedOptions, JobsOptions } from 'bullmq';
import { type BackoffSettings, retryDelayMs } from '../providers/backoff.js';

/** Job options of every delivery job; `attempts` is OUTBOX_MAX_ATTEMPTS. */
export function deliveryJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'provider' },
    // Completed jobs go at once: the outbox status, not the job, is the record of delivery.
    removeOnComplete: true,
    // Failed (dead-lettered) jobs stay a week for inspection; replay removes one explicitly.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * The worker side of the `provider` backoff: jittered exponential. An answer with Retry-After
 * never reaches it: that job is held as asked without spending an attempt (EffectDelivery).
 */
export function deliveryWorkerSettings(settings: BackoffSettings): AdvancedOptions {
  return {
    // A job a batch handed its effect to goes on from the attempts the batch spent.
    backoffStrategy: (attemptsMade, _type, _error, job) =>
      retryDelayMs(attemptsMade + priorAttemptsOf(job?.data), settings),
  };
}

function priorAttemptsOf(data: unknown): number {
  const prior = (data as { priorAttempts?: unknown } | undefined)?.priorAttempts;
  return typeof prior === 'number' ? prior : 0;
}

/**
 * The id of the failed job that records an effect a batch dead-lettered on its first attempt.
 * Not the effect's own id, so the record never counts as the effect's own job: a replay that
 * races with it still gets delivered (batch-delivery.ts).
 */
export function deadLetterRecordJobId(effectId: string): string {
  return `${effectId}.dead-letter`;
}

/** Options of the job a batch hands an effect to: its own id, the attempts left, the delay. */
export function handedOffJobOptions(
  effectId: string,
  maxAttempts: number,
  next: { delayMs: number; attemptsSpent: number; deadLettered?: string },
): JobsOptions {
  return {
    ...deliveryJobOptions(Math.max(1, maxAttempts - next.attemptsSpent)),
    jobId: next.deadLettered === undefined ? effectId : deadLetterRecordJobId(effectId),
    delay: next.delayMs,
  };
}
