import {
  type CheckoutIds,
  decideSettlement,
  type EffectOutcome,
  effectRecordOf,
  type ReportedOutcome,
  touchesCheckout,
} from '../../domain/index.js';
import { CheckoutStore } from '../../store/checkout-store.js';
import {
  type AttemptRecord,
  type DueEffect,
  type OutboxEffect,
  OutboxStore,
  type SettleOutcome,
  type SettleResult,
} from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import { WebhookSubscriberStore } from '../../store/webhook-subscriber-store.js';
import { PlainSettleBatcher } from '../outbox/plain-settle-batcher.js';
import { CHECKOUT_IDS } from './checkout-ids.js';
import type { CheckoutRecord } from './checkout-record.js';
import { buildEffects } from './effect-requests.js';
import type { OrderEventSink } from './order-events.js';

/**
 * Settles a delivered or dead-lettered effect and writes what its outcome causes, as the domain
 * decides it (domain/checkout/settle.ts, following EFFECT_CHAIN): the checkout's and payment's
 * next state and the follow-up effects, all in the same atomic step as marking the effect settled
 * (outbox-settle-10.lua). This is where a checkout really completes: when its capture succeeds.
 * An exhausted effect whose chain row says `retryLater` is not settled but kept pending for
 * another round, due `exhaustedRetryMs` later, in that same step.
 */

export interface SettlementDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  reservationTtlSeconds: number;
  /** Delay before another round of an exhausted effect the chain retries (OUTBOX_EXHAUSTED_RETRY_MS). */
  exhaustedRetryMs: number;
  /** @defaultValue CHECKOUT_IDS */
  ids?: CheckoutIds;
  /** Where order events go (the ACP platform's webhook, when configured). */
  orderEvents?: readonly OrderEventSink[];
}

/** Lost races with a concurrent checkout change before giving up (the job then retries). */
const MAX_RACES = 16;

/** How the outbox records an outcome, as the domain's chain says. */
export function settleOutcomeOf(
  effect: Pick<OutboxEffect, 'kind'>,
  outcome: ReportedOutcome,
): SettleOutcome {
  return effectRecordOf(effect.kind, outcome);
}

const AUDIT_TYPE: Record<SettleOutcome, string> = {
  delivered: 'effect.delivered',
  dead: 'effect.dead_lettered',
  exhausted: 'effect.dead_lettered',
  retry: 'effect.retried_later',
};

export class EffectSettlement {
  private readonly plainSettles: PlainSettleBatcher;

  constructor(private readonly deps: SettlementDeps) {
    this.plainSettles = new PlainSettleBatcher(deps.redis, deps.prefix, deps.nowMs);
  }

  /** A decision event a later one of its key replaced: settled unsent, not dead-lettered. */
  supersede(effect: OutboxEffect, record: AttemptRecord): Promise<SettleResult> {
    return this.plainSettles.settle(effect.tenant, {
      effectId: effect.id,
      outcome: 'superseded',
      record,
      audit: {
        type: 'effect.superseded',
        effectId: effect.id,
        kind: effect.kind,
        reason: record.reason,
        at: record.at,
      },
    });
  }

  async settle(
    effect: OutboxEffect,
    outcome: ReportedOutcome,
    record: AttemptRecord,
  ): Promise<SettleResult> {
    const settled = settleOutcomeOf(effect, outcome);
    const audit = (extra: Record<string, unknown>) => ({
      type: AUDIT_TYPE[settled],
      effectId: effect.id,
      kind: effect.kind,
      outcome,
      checkoutId: effect.checkoutId,
      reason: record.reason,
      at: record.at,
      ...extra,
    });
    const plain = { effectId: effect.id, outcome: settled, record, followUps: [] } as const;
    const touches = effect.checkoutId !== undefined && touchesCheckout(effect.kind, outcome);

    const checkoutId = effect.checkoutId;
    if (settled !== 'retry' && (!touches || checkoutId === undefined)) {
      // Nothing but the effect's own record: settled with others that answered at the same time.
      return this.plainSettles.settle(effect.tenant, {
        ...plain,
        outcome: settled,
        audit: audit({}),
      });
    }
    const outbox = new OutboxStore(this.deps.redis, this.deps.prefix, effect.tenant);
    const checkouts = new CheckoutStore(this.deps.redis, this.deps.prefix, effect.tenant);
    const retryAt = (nowMs: number) =>
      settled === 'retry' ? { retryAtMs: nowMs + this.deps.exhaustedRetryMs } : {};
    for (let race = 0; race < MAX_RACES; race++) {
      const nowMs = this.deps.nowMs();
      const stored = checkoutId === undefined ? undefined : await checkouts.load(checkoutId);
      if (stored === undefined || checkoutId === undefined) {
        return outbox.settle(
          { ...plain, nowMs, ...retryAt(nowMs), audit: audit({}) },
          checkouts.checkoutKey('-'),
        );
      }
      const checkout = JSON.parse(stored.doc) as CheckoutRecord;
      const planned = await this.plan(checkout, effect, outcome, record, nowMs);
      const result = await outbox.settle(
        {
          ...plain,
          nowMs,
          ...retryAt(nowMs),
          checkout: {
            id: checkoutId,
            expectedVersion: stored.version,
            doc: JSON.stringify(planned.next),
          },
          followUps: planned.followUps,
          audit: audit({
            applied: planned.applied,
            checkoutState: planned.next.state,
            followUps: planned.followUps.map(({ effect: e }) => e.id),
            notes: planned.notes,
          }),
        },
        checkouts.checkoutKey(checkoutId),
      );
      if (result.kind !== 'version_conflict') return result;
    }
    throw new Error(`effect ${effect.id}: the checkout kept changing while settling`);
  }

  /** The domain's settlement, its follow-up effects built into outbox entries. */
  private async plan(
    checkout: CheckoutRecord,
    effect: OutboxEffect,
    outcome: ReportedOutcome,
    record: AttemptRecord,
    nowMs: number,
  ): Promise<{
    next: CheckoutRecord;
    followUps: DueEffect[];
    applied: EffectOutcome;
    notes: string[];
  }> {
    const settlement = decideSettlement(
      checkout,
      effect,
      outcome,
      record.reason,
      this.deps.ids ?? CHECKOUT_IDS,
      nowMs,
    );
    const { next, applied, notes, effects } = settlement;
    let followUps: DueEffect[] = [];
    if (effects !== undefined) {
      // Subscribers are facts of the webhook effect's request, loaded only when one follows.
      const subscribers = effects.kinds.includes('webhook')
        ? await new WebhookSubscriberStore(
            this.deps.redis,
            this.deps.prefix,
            checkout.tenant,
          ).list()
        : [];
      followUps = buildEffects(effects.kinds, {
        checkout: next,
        payment: effects.payment,
        correlationId: effect.correlationId,
        nowMs,
        reservationTtlSeconds: this.deps.reservationTtlSeconds,
        subscribers,
        orderEvents: this.deps.orderEvents,
      });
    }
    return { next, followUps, applied, notes };
  }
}
