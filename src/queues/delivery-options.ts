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
    backoffStrategy: (attemptsMade) => retryDelayMs(attemptsMade, settings),
  };
}
