import pLimit, { type LimitFunction } from 'p-limit';
import { type EffectKind, type Provider, toInstant } from '../../domain/index.js';
import type { CircuitBreaker } from '../../providers/circuit-breaker.js';
import { classifyStatus, type Verdict } from '../../providers/classify-response.js';
import {
  type ProviderAnswer,
  type ProviderClient,
  ProviderTransportError,
} from '../../providers/provider-client.js';
import { type AttemptRecord, type OutboxEffect, OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import { type EffectSettlement, settleOutcomeOf } from '../checkout/effect-settlement.js';
import type { BreakerRegistry } from './breaker-registry.js';

/**
 * Delivers one outbox effect to its provider and says what the queue should do next. The job
 * (jobs/deliver-effect.job.ts) translates the answer into BullMQ control flow; nothing here
 * knows about queues.
 */
export type DeliveryResult =
  | { kind: 'delivered' }
  /** Already settled (a re-run after a crash, or a stale job): nothing was sent. */
  | { kind: 'skipped'; status: string }
  | { kind: 'retry'; reason: string }
  /** The provider asked us to slow down (429): hold its whole queue, spend no attempt. */
  | { kind: 'throttle'; delayMs: number; reason: string }
  /**
   * Hold this job, spend no attempt: the destination's breaker is open, or the provider failed
   * and said when to come back (Retry-After).
   */
  | { kind: 'held'; delayMs: number }
  /** Attempts ran out; the effect stays pending for another round on the long schedule. */
  | { kind: 'retried_later'; reason: string }
  | { kind: 'dead'; reason: string }
  /** A decision event a later one of its key replaced (or whose subscription went): not sent. */
  | { kind: 'superseded'; reason: string };

/**
 * Asked before and after sending an effect that has an ordering key (a decision event): it may
 * hold the send while another event of the key is in flight, or say the effect was superseded.
 */
export interface DeliveryGate {
  begin(effect: OutboxEffect): Promise<
    | { kind: 'send' }
    | { kind: 'held'; delayMs: number }
    | { kind: 'superseded'; reason: string }
    /** no longer pending: another job settled it meanwhile */
    | { kind: 'settled'; status: string }
  >;
  /** After the send, whatever its answer, once its outcome is settled (or handed on). */
  end(effect: OutboxEffect): Promise<void>;
}

export interface DeliveryAttempt {
  /**
   * The job's last attempt: a transient failure without Retry-After now exhausts the effect, and
   * the effect chain says what follows (dead-lettered, or retried later with a new job).
   */
  isLast: boolean;
  /** The definition the drain carried in the job; read from the store when absent. */
  effect?: OutboxEffect;
  /**
   * The job's first start (not a retry, a stall after a crash, or a run after a delay), or a
   * batch that has just read the statuses of all its effects at once: the effect is known to be
   * pending, so its status is not read again before sending. Only the effect's
   * own job (or the batch it was claimed into) settles it, and the drain adds that job after
   * claiming the effect pending, so on a first start the effect is pending, or it was delivered
   * by an earlier job of the same id that has since been removed, in which case the send is a
   * replay the provider answers from its Idempotency-Key record and the settle changes nothing.
   * A dead-lettered effect's failed job is kept, so the drain cannot start a new one for it. Any
   * later start reads the status first: a job that stalled after settling must not send again.
   */
  firstStart: boolean;
}

export interface DeliveryDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  client: ProviderClient;
  breakers: BreakerRegistry;
  settlement: EffectSettlement;
  /** How long a 429 without Retry-After throttles the provider's queue. */
  defaultThrottleMs: number;
  retryAfterMaxMs: number;
  /**
   * Told of every provider call: its outcome (`2xx`…`5xx`, `timeout`, `transport`, or
   * `circuit_open` when the breaker held it back) and how long it took, for the metrics.
   */
  observeCall?(provider: string, outcome: string, seconds: number): void;
  /** Told of every effect whose attempts ran out, and whether it is retried later or dead. */
  observeExhausted?(provider: Provider, kind: EffectKind, handling: ExhaustedHandling): void;
  /**
   * Most calls in flight to one provider from this process, whatever the jobs they come from: a
   * batch job sends its effects concurrently, and several batches run at once. Unlimited when
   * absent.
   */
  maxInFlight?: number;
  /** The ordering gate of effects with an ordering key (decision events). */
  gate?: DeliveryGate;
}

export type ExhaustedHandling = 'retried_later' | 'dead_lettered';

export class EffectDelivery {
  private readonly inFlight = new Map<Provider, LimitFunction>();

  constructor(private readonly deps: DeliveryDeps) {}

  private limitFor(provider: Provider): LimitFunction {
    let limit = this.inFlight.get(provider);
    if (limit === undefined) {
      limit = pLimit(this.deps.maxInFlight ?? Number.POSITIVE_INFINITY);
      this.inFlight.set(provider, limit);
    }
    return limit;
  }

  async deliver(
    tenant: string,
    effectId: string,
    attempt: DeliveryAttempt,
  ): Promise<DeliveryResult> {
    // Made when first needed: a delivered effect settles through the settlement's batcher.
    let store: OutboxStore | undefined;
    const outbox = () => {
      store ??= new OutboxStore(this.deps.redis, this.deps.prefix, tenant);
      return store;
    };
    let effect = attempt.effect;
    if (effect === undefined) {
      const loaded = await outbox().load(effectId);
      if (loaded === undefined) return { kind: 'skipped', status: 'missing' };
      if (loaded.status !== 'pending') return { kind: 'skipped', status: loaded.status };
      effect = loaded.effect;
    } else if (!attempt.firstStart) {
      const status = await outbox().status(effectId);
      if (status !== 'pending') return { kind: 'skipped', status: status ?? 'missing' };
    }

    const gate = effect.orderingKey === undefined ? undefined : this.deps.gate;
    if (gate !== undefined) {
      const answer = await gate.begin(effect);
      if (answer.kind === 'held') return answer;
      if (answer.kind === 'settled') return { kind: 'skipped', status: answer.status };
      if (answer.kind === 'superseded') {
        const at = toInstant(this.deps.nowMs());
        await this.deps.settlement.supersede(effect, {
          at,
          result: 'superseded',
          reason: answer.reason,
        });
        return answer;
      }
    }
    // The gate lets go of the key only once the outcome is settled: let go between the answer
    // and the settlement, a second job holding the same effect (a drain's claim run out) would
    // find it still pending and its key free, and send it again.
    try {
      const call = await this.limitFor(effect.provider)(() => this.call(effect));
      return await this.settleCall(effect, call, attempt, outbox);
    } finally {
      await gate?.end(effect);
    }
  }

  /** Records and settles what the provider answered: the effect's outcome, or its next try. */
  private async settleCall(
    effect: OutboxEffect,
    call: Awaited<ReturnType<EffectDelivery['call']>>,
    attempt: DeliveryAttempt,
    outbox: () => OutboxStore,
  ): Promise<DeliveryResult> {
    if (call.kind === 'held') return call;
    const { at, answer, verdict, breaker } = call;
    const record: AttemptRecord = {
      at,
      result: verdict.kind === 'delivered' ? 'delivered' : verdict.kind,
    };
    if (answer !== undefined) {
      record.status = answer.status;
      record.durationMs = answer.durationMs;
    }
    if (verdict.kind !== 'delivered') record.reason = verdict.reason;

    switch (verdict.kind) {
      case 'delivered':
        breaker.success();
        await this.deps.settlement.settle(effect, 'succeeded', record);
        return { kind: 'delivered' };
      case 'permanent':
        // The provider is up and said no: not a health signal, but final for this effect.
        breaker.success();
        await this.deps.settlement.settle(effect, 'rejected', record);
        return { kind: 'dead', reason: verdict.reason };
      case 'throttled': {
        breaker.success();
        await outbox().recordAttempt(effect.id, record, false);
        const delayMs = Math.min(
          verdict.retryAfterMs ?? this.deps.defaultThrottleMs,
          this.deps.retryAfterMaxMs,
        );
        return { kind: 'throttle', delayMs, reason: verdict.reason };
      }
      case 'transient': {
        breaker.failure();
        if (verdict.retryAfterMs !== undefined) {
          // The provider said when to come back: waiting as asked is not a failed attempt.
          await outbox().recordAttempt(effect.id, record, false);
          return {
            kind: 'held',
            delayMs: Math.min(verdict.retryAfterMs, this.deps.retryAfterMaxMs),
          };
        }
        if (!attempt.isLast) {
          await outbox().recordAttempt(effect.id, record, true);
          return { kind: 'retry', reason: verdict.reason };
        }
        // What an exhausted effect leads to is the effect chain's (retried later, or dead).
        const settled = await this.deps.settlement.settle(effect, 'exhausted', {
          ...record,
          result: 'exhausted',
        });
        const later = settleOutcomeOf(effect, 'exhausted') === 'retry';
        if (settled.kind === 'ok') {
          this.deps.observeExhausted?.(
            effect.provider,
            effect.kind,
            later ? 'retried_later' : 'dead_lettered',
          );
        }
        const reason = `attempts exhausted: ${verdict.reason}`;
        return later ? { kind: 'retried_later', reason } : { kind: 'dead', reason };
      }
    }
  }

  /**
   * Admits the call through the destination's breaker and sends it: inside the in-flight limit,
   * so effects waiting for a slot see a breaker that opened meanwhile.
   */
  private async call(effect: OutboxEffect): Promise<
    | { kind: 'held'; delayMs: number }
    | {
        kind: 'sent';
        at: string;
        answer: ProviderAnswer | undefined;
        verdict: Verdict;
        breaker: CircuitBreaker;
      }
  > {
    const breaker = this.deps.breakers.for(this.deps.client.destinationOf(effect));
    const admission = breaker.admit();
    if (!admission.admitted) {
      this.deps.observeCall?.(effect.provider, 'circuit_open', 0);
      return { kind: 'held', delayMs: admission.retryInMs };
    }

    const at = toInstant(this.deps.nowMs());
    let answer: ProviderAnswer | undefined;
    let verdict: Verdict;
    // A latency measurement, not domain time: the injected clock may stand still in tests.
    const sentAt = performance.now();
    try {
      answer = await this.deps.client.send({
        provider: effect.provider,
        method: effect.method,
        path: effect.path,
        url: effect.url,
        body: effect.body,
        idempotencyKey: effect.id,
        correlationId: effect.correlationId,
        webhookId: effect.id,
        webhookProfile: effect.webhookProfile,
      });
      verdict = classifyStatus(answer.status, answer.retryAfter, this.deps.nowMs());
      this.deps.observeCall?.(
        effect.provider,
        `${Math.floor(answer.status / 100)}xx`,
        (performance.now() - sentAt) / 1000,
      );
    } catch (error) {
      if (!(error instanceof ProviderTransportError)) throw error;
      const outcome = /timeout/i.test(error.message) ? 'timeout' : 'transport';
      this.deps.observeCall?.(effect.provider, outcome, (performance.now() - sentAt) / 1000);
      verdict = { kind: 'transient', retryAfterMs: undefined, reason: error.message };
    }
    return { kind: 'sent', at, answer, verdict, breaker };
  }
}

export type { OutboxEffect };
