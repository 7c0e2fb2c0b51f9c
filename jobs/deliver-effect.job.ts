import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { z } from 'zod';
import { defineJob } from '../src/queues/job-shell.js';
import {
  type DeliverBatchPayloadSchema,
  type DeliverEffectPayloadSchema,
  DeliveryPayloadSchema,
  OUTBOX_QUEUE_NAMES,
} from '../src/queues/outbox-queues.js';
import { type BatchDeliveryDeps, deliverBatch } from '../src/services/outbox/batch-delivery.js';
import type {
  DeliveryResult,
  EffectDelivery,
  OutboxEffect,
} from '../src/services/outbox/effect-delivery.js';

/**
 * Delivers outbox effects to their provider. One queue per provider (`deliver-effect-payment`,
 * …) so a slow or throttled provider holds back only its own effects. The drain adds a batch job
 * per provider and tenant for effects' first attempts (src/services/outbox/batch-delivery.ts); an
 * effect whose first attempt is not final is handed to a job of its own, which goes on as below
 * with the attempts the batch spent counted. A single job's BullMQ control flow:
 * - retry → thrown error; the backoff strategy (src/queues/delivery-options.ts) gives the delay;
 * - throttle (429) → the provider's queue is rate-limited, no attempt spent;
 * - held (breaker open, or a failure with Retry-After) → this job is moved to delayed with
 *   BullMQ's skipAttempt (Job.moveToDelayed), so no attempt is spent;
 * - retried_later (attempts ran out, the chain retries it) → completed: the job is removed and
 *   the effect, pending again and due later, is claimed by the drain into a new batch with
 *   fresh attempts;
 * - dead → UnrecoverableError: dead-lettered already, never retried.
 */
export const queue = OUTBOX_QUEUE_NAMES.deliver;
export const PayloadSchema = DeliveryPayloadSchema;

/** A transient failure, retried after the backoff strategy's delay. */
export class RetryableDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

export interface DeliverDeps {
  delivery: EffectDelivery;
  batch: BatchDeliveryDeps;
  /** Rate-limits this provider's queue (bound to its worker once started). */
  throttle(delayMs: number): Promise<void>;
  /**
   * Gives an effect whose first attempt a batch made a job of its own, due after `delayMs`, with
   * the attempts the batch spent taken off its budget.
   */
  handOff(tenant: string, effect: OutboxEffect, next: HandOff): Promise<void>;
  /** The backoff before the attempt after `attemptsMade` failed ones (delivery-options.ts). */
  retryDelayMs(attemptsMade: number): number;
  nowMs(): number;
}

export interface HandOff {
  delayMs: number;
  attemptsSpent: number;
  /** Dead-lettered by the batch: the job only records it as failed (see the payload). */
  deadLettered?: string;
}

export interface BatchReport {
  delivered: number;
  handedOff: number;
  settledOtherwise: number;
  skipped: number;
}

async function processBatch(
  payload: z.infer<typeof DeliverBatchPayloadSchema>,
  deps: DeliverDeps,
): Promise<BatchReport> {
  const { outcomes, errors } = await deliverBatch(deps.batch, payload.tenant, payload.effects);
  const report: BatchReport = { delivered: 0, handedOff: 0, settledOtherwise: 0, skipped: 0 };
  let throttleMs = 0;
  const handOffs: Promise<void>[] = [];
  const handOff = (effect: OutboxEffect, next: HandOff) => {
    handOffs.push(deps.handOff(payload.tenant, effect, next));
  };
  for (const { effect, result } of outcomes) {
    switch (result.kind) {
      case 'delivered':
        report.delivered++;
        break;
      case 'skipped':
        report.skipped++;
        break;
      case 'retried_later':
      case 'superseded':
        report.settledOtherwise++;
        break;
      case 'dead':
        report.settledOtherwise++;
        handOff(effect, { delayMs: 0, attemptsSpent: 0, deadLettered: result.reason });
        break;
      case 'retry':
        report.handedOff++;
        handOff(effect, { delayMs: deps.retryDelayMs(1), attemptsSpent: 1 });
        break;
      case 'held':
        report.handedOff++;
        handOff(effect, { delayMs: result.delayMs, attemptsSpent: 0 });
        break;
      case 'throttle':
        report.handedOff++;
        throttleMs = Math.max(throttleMs, result.delayMs);
        handOff(effect, { delayMs: result.delayMs, attemptsSpent: 0 });
        break;
    }
  }
  await Promise.all(handOffs);
  // The batch itself is done; the 429 holds back the rest of this provider's queue.
  if (throttleMs > 0) await deps.throttle(throttleMs);
  // Retried as a whole: what was settled or handed off is skipped on the re-run.
  if (errors.length > 0) throw errors[0];
  return report;
}

async function processOne(
  payload: z.infer<typeof DeliverEffectPayloadSchema>,
  deps: DeliverDeps,
  job: Job,
): Promise<DeliveryResult> {
  if (payload.deadLettered !== undefined) {
    throw new UnrecoverableError(`dead-lettered: ${payload.deadLettered}`);
  }
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
    case 'superseded':
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
}

export const deliverEffectJob = defineJob({
  queue,
  PayloadSchema,
  process: (payload, deps: DeliverDeps, job: Job): Promise<BatchReport | DeliveryResult> =>
    'effects' in payload ? processBatch(payload, deps) : processOne(payload, deps, job),
});
