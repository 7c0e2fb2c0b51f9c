import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { defineJob } from '../src/queues/job-shell.js';
import { DeliverEffectPayloadSchema, OUTBOX_QUEUE_NAMES } from '../src/queues/outbox-queues.js';
import type { EffectDelivery } from '../src/services/outbox/effect-delivery.js';

/**
 * Delivers one outbox effect to its provider. One queue per provider (`deliver-effect-payment`,
 * …) so a slow or throttled provider holds back only its own effects. BullMQ control flow:
 * - retry → thrown error; the backoff strategy (src/queues/delivery-options.ts) gives the delay;
 * - throttle (429) → the provider's queue is rate-limited, no attempt spent;
 * - held (breaker open, or a failure with Retry-After) → this job is moved to delayed with
 *   BullMQ's skipAttempt (Job.moveToDelayed), so no attempt is spent;
 * - retried_later (attempts ran out, the chain retries it) → completed: the job is removed and
 *   the effect, pending again and due later, gets a new job with fresh attempts from the drain;
 * - dead → UnrecoverableError: dead-lettered already, never retried.
 */
export const queue = OUTBOX_QUEUE_NAMES.deliver;
export const PayloadSchema = DeliverEffectPayloadSchema;

/** A transient failure, retried after the backoff strategy's delay. */
export class RetryableDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

export interface DeliverDeps {
  delivery: EffectDelivery;
  /** Rate-limits this provider's queue (bound to its worker once started). */
  throttle(delayMs: number): Promise<void>;
  nowMs(): number;
}

export const deliverEffectJob = defineJob({
  queue,
  PayloadSchema,
  async process(payload, deps: DeliverDeps, job: Job) {
    const isLast = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await deps.delivery.deliver(payload.tenant, payload.effectId, {
      isLast,
      effect: payload.effect,
      // BullMQ counts every move to active (retries, stalls, delays), this one included.
      firstStart: job.attemptsStarted <= 1,
    });
    switch (result.kind) {
      case 'delivered':
      case 'skipped':
      case 'retried_later':
        return result;
      case 'retry':
        throw new RetryableDeliveryError(result.reason);
      case 'throttle':
        await deps.throttle(result.delayMs);
        throw Worker.RateLimitError();
      case 'held':
        await job.moveToDelayed(deps.nowMs() + result.delayMs, job.token);
        throw new DelayedError();
      case 'dead':
        throw new UnrecoverableError(`dead-lettered: ${result.reason}`);
    }
  },
});
