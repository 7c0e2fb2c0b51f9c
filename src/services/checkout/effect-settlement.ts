import type { Redis } from 'ioredis';
import {
  AWAITING_PAYMENT_STATES,
  applyPaymentEvents,
  blocker,
  type ChainStep,
  chainStep,
  EFFECT_CHAIN,
  type EffectOutcome,
  toInstant,
  transition,
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
import { WebhookSubscriberStore } from '../../store/webhook-subscriber-store.js';
import { PlainSettleBatcher } from '../outbox/plain-settle-batcher.js';
import type { CheckoutRecord, PaymentRecord } from './checkout-record.js';
import { buildEffects } from './effect-requests.js';

/**
 * Settles a delivered or dead-lettered effect and writes what its outcome causes, following the
 * domain's EFFECT_CHAIN: the checkout's and payment's next state and the follow-up effects, all in
 * the same atomic step as marking the effect settled (outbox-settle-10.lua). An exhausted effect
 * whose chain row says `retryLater` is not settled but kept pending for another round, due
 * `exhaustedRetryMs` later, in that same step.
 */

export interface SettlementDeps {
  redis: Redis;
  prefix: string;
  nowMs: () => number;
  reservationTtlSeconds: number;
  /** Delay before another round of an exhausted effect the chain retries (OUTBOX_EXHAUSTED_RETRY_MS). */
  exhaustedRetryMs: number;
}

/** Lost races with a concurrent checkout change before giving up (the job then retries). */
const MAX_RACES = 16;

function hasWork(step: ChainStep): boolean {
  return step.checkout !== undefined || (step.payment?.length ?? 0) > 0 || step.next.length > 0;
}

/** How the outbox records an outcome: exhausted effects are dead-lettered or retried later. */
export function settleOutcomeOf(
  effect: Pick<OutboxEffect, 'kind'>,
  outcome: Exclude<EffectOutcome, 'closed'>,
): SettleOutcome {
  if (outcome === 'succeeded') return 'delivered';
  if (outcome === 'rejected') return 'dead';
  return chainStep(effect.kind, 'exhausted').retryLater ? 'retry' : 'exhausted';
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

  async settle(
    effect: OutboxEffect,
    outcome: Exclude<EffectOutcome, 'closed'>,
    record: AttemptRecord,
  ): Promise<SettleResult> {
    const outbox = new OutboxStore(this.deps.redis, this.deps.prefix, effect.tenant);
    const checkouts = new CheckoutStore(this.deps.redis, this.deps.prefix, effect.tenant);
    const settled = settleOutcomeOf(effect, outcome);
    const row = EFFECT_CHAIN[effect.kind];
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
    // An outcome of the payment chain itself always rewrites the checkout (its state or its
    // lastFailure); one of an effect after it only when its step has work.
    const touches =
      effect.checkoutId !== undefined &&
      (hasWork(chainStep(effect.kind, outcome)) || row.advancesCheckout);

    const checkoutId = effect.checkoutId;
    if (settled !== 'retry' && (!touches || checkoutId === undefined)) {
      // Nothing but the effect's own record: settled with others that answered at the same time.
      return this.plainSettles.settle(effect.tenant, {
        ...plain,
        outcome: settled,
        audit: audit({}),
      });
    }
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

  /** The checkout after the outcome, and the effects that follow. Pure but for subscribers. */
  private async plan(
    checkout: CheckoutRecord,
    effect: OutboxEffect,
    outcome: Exclude<EffectOutcome, 'closed'>,
    record: AttemptRecord,
    nowMs: number,
  ): Promise<{
    next: CheckoutRecord;
    followUps: DueEffect[];
    applied: EffectOutcome;
    notes: string[];
  }> {
    const active =
      AWAITING_PAYMENT_STATES.includes(checkout.state) && checkout.attempt === effect.attempt;
    const applied: EffectOutcome =
      outcome === 'succeeded' && EFFECT_CHAIN[effect.kind].advancesCheckout && !active
        ? 'closed'
        : outcome;
    const step = chainStep(effect.kind, applied);
    const notes: string[] = [];
    const next: CheckoutRecord = {
      ...checkout,
      version: checkout.version + 1,
      updatedAt: toInstant(nowMs),
    };

    if (step.checkout !== undefined && active) {
      const moved = transition(checkout.state, step.checkout);
      if (moved.ok) {
        next.state = moved.to;
        // The answer that moves the checkout on supersedes an earlier failure of the attempt.
        if (applied === 'succeeded') next.lastFailure = null;
      } else notes.push(`checkout ${step.checkout} refused from ${checkout.state}`);
    }
    let payment = checkout.payments.find((p) => p.paymentId === effect.paymentId);
    if (payment !== undefined && step.payment !== undefined && step.payment.length > 0) {
      const moved = applyPaymentEvents(payment, step.payment);
      if (moved.ok) {
        const refunded = moved.payment.refundedAmount > payment.refundedAmount;
        payment = { ...payment, ...moved.payment } as PaymentRecord;
        // A refund the chain decides (capture landed on a canceled checkout) is numbered too.
        const current = payment;
        next.payments = checkout.payments.map((p) =>
          p.paymentId === current.paymentId
            ? { ...current, refunds: current.refunds + (refunded ? 1 : 0) }
            : p,
        );
      } else {
        notes.push(`payment ${step.payment.join(', ')} refused: ${moved.code}`);
      }
    }
    if (effect.kind === 'capture' && applied === 'succeeded' && next.state === 'completed') {
      next.orderId = `ord_${checkout.id.replace(/^co_/, '')}`;
    }
    // lastFailure tells the buyer's agent why its payment stopped short, so only the payment
    // chain's own effects write it: a compensation or notification that fails afterwards (a void,
    // a receipt) is the operator's, in the dead letter, and must not hide the buyer's reason.
    if (outcome !== 'succeeded' && EFFECT_CHAIN[effect.kind].advancesCheckout) {
      next.lastFailure = { effectId: effect.id, reason: record.reason ?? outcome };
      if (step.blocker !== undefined) next.lastFailure.blocker = blocker(step.blocker);
    }

    let followUps: DueEffect[] = [];
    if (payment !== undefined && step.next.length > 0) {
      const subscribers = step.next.includes('webhook')
        ? await new WebhookSubscriberStore(
            this.deps.redis,
            this.deps.prefix,
            checkout.tenant,
          ).list()
        : [];
      followUps = buildEffects(step.next, {
        checkout: next,
        payment,
        correlationId: effect.correlationId,
        nowMs,
        reservationTtlSeconds: this.deps.reservationTtlSeconds,
        subscribers,
      });
    }
    return { next, followUps, applied, notes };
  }
}
