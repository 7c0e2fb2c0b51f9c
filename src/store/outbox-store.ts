import { z } from 'zod';
import { EffectKindSchema, ProviderSchema } from '../domain/index.js';
import { globalKey, type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';

/**
 * The transactional outbox of one tenant. An effect is written in the same atomic step as the
 * transition that causes it (checkout-store.ts) and leaves only by being settled: delivered, or
 * dead-lettered with its history. Keys (under the tenant's hash tag):
 * - `outbox:def` hash: effect id → definition JSON (immutable)
 * - `outbox:status` hash: effect id → pending | delivered | dead
 * - `outbox:due` zset: pending effect ids by due time (pushed out by a lease when drained)
 * - `outbox:dead` zset: dead-lettered ids by time
 * - `outbox:history` hash: effect id → JSON array of attempts
 * - `outbox:attempts` hash: effect id → attempts made since the last replay
 * - `outbox:settled` zset: settled ids by time (for retention)
 * - `outbox:exhausted` zset: ids whose attempts ran out (dead-lettered, or retried on the long
 *   schedule) by when they first did, until the provider answers them
 */

/** One provider effect, exactly as it will be sent on every attempt. */
export const OutboxEffectSchema = z.object({
  /** Deterministic and tenant-unique; the Idempotency-Key and the BullMQ job id. */
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  tenant: z.string().min(1),
  kind: EffectKindSchema,
  provider: ProviderSchema,
  checkoutId: z.string().min(1).optional(),
  /** The checkout's payment attempt the effect belongs to. */
  attempt: z.number().int().nonnegative().optional(),
  paymentId: z.string().optional(),
  method: z.enum(['POST']),
  /** Path under the provider's base URL; webhooks carry an absolute `url` instead. */
  path: z.string().startsWith('/').optional(),
  url: z.url().optional(),
  body: z.unknown(),
  /** How a webhook is signed and headed; absent: the agent webhooks' own (`Webhook-Id` …). */
  webhookProfile: z.enum(['acp']).optional(),
  /**
   * A decision event's subscription and ordering key (subscription, product, context): at most
   * one event of a key is sent at a time, and never one a later event of its key superseded.
   */
  subscriptionId: z.string().min(1).optional(),
  orderingKey: z.string().min(1).optional(),
  /** Refund amount, for the payment record when the refund settles. */
  amount: z.number().int().positive().optional(),
  correlationId: z.string().min(1),
  createdAtMs: z.number().int(),
});
export type OutboxEffect = z.infer<typeof OutboxEffectSchema>;

export const ATTEMPT_RESULTS = [
  'delivered',
  'transient',
  'throttled',
  'permanent',
  'exhausted',
  'replayed',
  'superseded',
] as const;

export interface AttemptRecord {
  at: string;
  result: (typeof ATTEMPT_RESULTS)[number];
  status?: number;
  reason?: string;
  durationMs?: number;
}

/** `superseded`: a decision event a later one of its key replaced before it was sent. */
export type EffectStatus = 'pending' | 'delivered' | 'dead' | 'superseded';

export interface EffectView {
  effect: OutboxEffect;
  status: EffectStatus;
  attempts: number;
  history: AttemptRecord[];
}

/** A follow-up effect and when it is due. */
export interface DueEffect {
  effect: OutboxEffect;
  dueMs: number;
}

export type SettleResult =
  | { kind: 'ok'; attempts: number }
  | { kind: 'already'; status: string }
  | { kind: 'version_conflict'; currentVersion: number };

/**
 * How an effect leaves its delivery: `delivered`; `dead`, a permanent no; `exhausted`,
 * dead-lettered after its last attempt; `retry`, its last attempt failed and it stays pending for
 * another round due at `retryAtMs`, attempts reset.
 */
export type SettleOutcome = 'delivered' | 'dead' | 'exhausted' | 'retry';

export interface SettleInput {
  effectId: string;
  outcome: SettleOutcome;
  /** Due time of the next round, for `retry`. */
  retryAtMs?: number;
  record: AttemptRecord;
  nowMs: number;
  /** Checkout write made atomic with the settlement. */
  checkout?: { id: string; expectedVersion: number; doc: string };
  followUps: readonly DueEffect[];
  audit: Record<string, unknown>;
}

export interface OutboxSummaryCounts {
  due: number;
  inFlight: number;
  dead: number;
  /** ran out of attempts and not answered since (dead-lettered or retried on the long schedule) */
  exhausted: number;
  /** due time of the oldest entry that is due now; null when none is */
  oldestDueMs: number | null;
}

/**
 * A settlement that writes nothing but the effect's own record and its audit event; also how a
 * decision event that a later one superseded leaves without being sent.
 */
export type PlainSettleInput = Pick<SettleInput, 'record' | 'audit' | 'effectId'> & {
  outcome: Exclude<SettleOutcome, 'retry'> | 'superseded';
};

/** An effect that ran out of attempts and has had no answer since. */
export interface ExhaustedView extends EffectView {
  /** When it first ran out of attempts. */
  exhaustedAtMs: number;
  /** When its next round is due (a pending effect retried on the long schedule), else null. */
  nextRoundMs: number | null;
}

export const AUDIT_MAXLEN = 100_000;

/** Pending and dead-lettered effects of one kind of id (`dc.`: decision events), as counted. */
export interface PrefixCounts {
  /** pending effects (due now, claimed, or waiting for a retry or their key's turn) */
  pending: number;
  /** due time of the oldest of them that is due now; null when none is */
  oldestDueMs: number | null;
  dead: number;
  /** false when the scan stopped at its bound: the counts are then lower bounds */
  complete: boolean;
}

/** Entries one ZSCAN step of a prefix count asks for, and the most steps a count takes. */
const PREFIX_SCAN_COUNT = 1000;
const PREFIX_SCAN_STEPS = 10;

/** Tenants that have ever written an outbox effect; the drain walks them. */
export function outboxTenantsKey(prefix: string): string {
  return globalKey(prefix, 'outbox-tenants');
}

export function effectTriples(effects: readonly DueEffect[]): string[] {
  return effects.flatMap(({ effect, dueMs }) => [effect.id, JSON.stringify(effect), String(dueMs)]);
}

export class OutboxStore {
  readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /** Registers the tenant with the drain; cheap and idempotent, so callers may repeat it. */
  async registerTenant(): Promise<void> {
    await this.redis.sadd(outboxTenantsKey(this.prefix), this.tenant);
  }

  /** Claims due effects (pushing each out by the lease) and returns their definitions. */
  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<OutboxEffect[]> {
    const ids = (await runScript(
      this.redis,
      'outbox-claim-due-1',
      [this.key('outbox', 'due')],
      [nowMs, leaseMs, limit],
    )) as string[];
    if (ids.length === 0) return [];
    const definitions = await this.redis.hmget(this.key('outbox', 'def'), ...ids);
    return definitions.flatMap((json) => (json === null ? [] : [JSON.parse(json) as OutboxEffect]));
  }

  /** Status and definition in one round trip (the delivery worker's only read). */
  async load(
    effectId: string,
  ): Promise<{ status: EffectStatus; effect: OutboxEffect } | undefined> {
    const reply = await this.redis
      .multi()
      .hget(this.key('outbox', 'status'), effectId)
      .hget(this.key('outbox', 'def'), effectId)
      .exec();
    const status = reply?.[0]?.[1] as EffectStatus | null;
    const json = reply?.[1]?.[1] as string | null;
    if (status == null || json == null) return undefined;
    return { status, effect: JSON.parse(json) as OutboxEffect };
  }

  /** Definitions of several effects in one round trip; missing ones are left out. */
  async definitions(effectIds: readonly string[]): Promise<Map<string, OutboxEffect>> {
    const found = new Map<string, OutboxEffect>();
    if (effectIds.length === 0) return found;
    const jsons = await this.redis.hmget(this.key('outbox', 'def'), ...effectIds);
    jsons.forEach((json, i) => {
      if (json !== null) found.set(effectIds[i] as string, JSON.parse(json) as OutboxEffect);
    });
    return found;
  }

  async status(effectId: string): Promise<EffectStatus | undefined> {
    return ((await this.redis.hget(this.key('outbox', 'status'), effectId)) ?? undefined) as
      | EffectStatus
      | undefined;
  }

  /** The statuses of several effects in one round trip, in order; undefined where missing. */
  async statuses(effectIds: readonly string[]): Promise<(EffectStatus | undefined)[]> {
    const replies = await this.redis.hmget(this.key('outbox', 'status'), ...effectIds);
    return replies.map((status) => (status ?? undefined) as EffectStatus | undefined);
  }

  /** Appends an unsuccessful attempt; returns attempts made, or -1 when no longer pending. */
  async recordAttempt(effectId: string, record: AttemptRecord, counts: boolean): Promise<number> {
    return (await runScript(
      this.redis,
      'outbox-record-attempt-3',
      [this.key('outbox', 'status'), this.key('outbox', 'history'), this.key('outbox', 'attempts')],
      [effectId, JSON.stringify(record), counts ? '1' : '0'],
    )) as number;
  }

  async settle(input: SettleInput, checkoutKey: string): Promise<SettleResult> {
    const reply = (await runScript(
      this.redis,
      'outbox-settle-10',
      [
        this.key('outbox', 'status'),
        this.key('outbox', 'due'),
        this.key('outbox', 'dead'),
        this.key('outbox', 'history'),
        this.key('outbox', 'attempts'),
        checkoutKey,
        this.key('outbox', 'def'),
        this.key('audit'),
        this.key('outbox', 'settled'),
        this.key('outbox', 'exhausted'),
      ],
      [
        input.effectId,
        input.outcome,
        JSON.stringify(input.record),
        input.nowMs,
        input.checkout === undefined ? '' : String(input.checkout.expectedVersion),
        input.checkout?.doc ?? '',
        JSON.stringify(input.audit),
        AUDIT_MAXLEN,
        input.outcome === 'retry' ? String(input.retryAtMs ?? input.nowMs) : '',
        ...effectTriples(input.followUps),
      ],
    )) as (string | number)[];
    if (reply[0] === 'ok') return { kind: 'ok', attempts: Number(reply[1]) };
    if (reply[0] === 'already') return { kind: 'already', status: String(reply[1]) };
    return { kind: 'version_conflict', currentVersion: Number(reply[1]) };
  }

  /**
   * Settles effects whose outcome writes nothing else, in one atomic step per call
   * (outbox-settle-plain-8.lua); one result per input, in order.
   */
  async settlePlain(inputs: readonly PlainSettleInput[], nowMs: number): Promise<SettleResult[]> {
    const reply = (await runScript(
      this.redis,
      'outbox-settle-plain-8',
      [
        this.key('outbox', 'status'),
        this.key('outbox', 'due'),
        this.key('outbox', 'dead'),
        this.key('outbox', 'history'),
        this.key('outbox', 'attempts'),
        this.key('audit'),
        this.key('outbox', 'settled'),
        this.key('outbox', 'exhausted'),
      ],
      [
        nowMs,
        AUDIT_MAXLEN,
        ...inputs.flatMap((input) => [
          input.effectId,
          input.outcome,
          JSON.stringify(input.record),
          JSON.stringify(input.audit),
        ]),
      ],
    )) as (string | number)[];
    return reply.map((entry) =>
      typeof entry === 'number'
        ? { kind: 'ok', attempts: entry }
        : { kind: 'already', status: String(entry) },
    );
  }

  async view(effectId: string): Promise<EffectView | undefined> {
    const reply = await this.redis
      .multi()
      .hget(this.key('outbox', 'def'), effectId)
      .hget(this.key('outbox', 'status'), effectId)
      .hget(this.key('outbox', 'attempts'), effectId)
      .hget(this.key('outbox', 'history'), effectId)
      .exec();
    const [def, status, attempts, history] = (reply ?? []).map(
      ([, value]) => value as string | null,
    );
    if (def == null || status == null) return undefined;
    return {
      effect: JSON.parse(def) as OutboxEffect,
      status: status as EffectStatus,
      attempts: Number(attempts ?? 0),
      history: history == null ? [] : (JSON.parse(history) as AttemptRecord[]),
    };
  }

  /** Dead-lettered effects, most recent first, with their history. */
  async listDead(limit: number, offset = 0): Promise<{ total: number; items: EffectView[] }> {
    const [total, ids] = await Promise.all([
      this.redis.zcard(this.key('outbox', 'dead')),
      this.redis.zrevrange(this.key('outbox', 'dead'), offset, offset + limit - 1),
    ]);
    const views = await Promise.all(ids.map((id) => this.view(id)));
    return { total, items: views.filter((view): view is EffectView => view !== undefined) };
  }

  /** Effects that ran out of attempts and have had no answer since, longest waiting first. */
  async listExhausted(limit: number): Promise<{ total: number; items: ExhaustedView[] }> {
    const [total, flat] = await Promise.all([
      this.redis.zcard(this.key('outbox', 'exhausted')),
      this.redis.zrange(this.key('outbox', 'exhausted'), 0, limit - 1, 'WITHSCORES'),
    ]);
    const items: ExhaustedView[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i] as string;
      const [view, due] = await Promise.all([
        this.view(id),
        this.redis.zscore(this.key('outbox', 'due'), id),
      ]);
      if (view === undefined) continue;
      items.push({
        ...view,
        exhaustedAtMs: Number(flat[i + 1]),
        nextRoundMs: view.status === 'pending' && due !== null ? Number(due) : null,
      });
    }
    return { total, items };
  }

  /** Puts a dead-lettered effect back, due now, attempts reset. False when it is not dead. */
  async replay(effectId: string, nowMs: number, at: string): Promise<boolean> {
    const record: AttemptRecord = { at, result: 'replayed' };
    const replayed = await runScript(
      this.redis,
      'outbox-replay-7',
      [
        this.key('outbox', 'status'),
        this.key('outbox', 'dead'),
        this.key('outbox', 'due'),
        this.key('outbox', 'attempts'),
        this.key('outbox', 'history'),
        this.key('audit'),
        this.key('outbox', 'settled'),
      ],
      [
        effectId,
        nowMs,
        JSON.stringify(record),
        JSON.stringify({ type: 'effect.replayed', effectId, at }),
        AUDIT_MAXLEN,
      ],
    );
    return replayed === 1;
  }

  /**
   * Forgets delivered effects settled at or before `cutoffMs`, at most `limit` per call; dead
   * letters stay. Returns how many settled entries were considered and how many forgotten.
   */
  async prune(cutoffMs: number, limit: number): Promise<{ considered: number; forgotten: number }> {
    const reply = (await runScript(
      this.redis,
      'outbox-prune-5',
      [
        this.key('outbox', 'settled'),
        this.key('outbox', 'status'),
        this.key('outbox', 'def'),
        this.key('outbox', 'attempts'),
        this.key('outbox', 'history'),
      ],
      [cutoffMs, limit],
    )) as [number, number];
    return { considered: Number(reply[0]), forgotten: Number(reply[1]) };
  }

  /**
   * What an operator watches, in one round trip: entries due now, entries claimed by the drain
   * or waiting for a retry (pending, due later), dead letters, and the oldest due entry's due time.
   */
  async summary(nowMs: number): Promise<OutboxSummaryCounts> {
    const reply = await this.redis
      .multi()
      .zcount(this.key('outbox', 'due'), '-inf', nowMs)
      .zcard(this.key('outbox', 'due'))
      .zcard(this.key('outbox', 'dead'))
      .zrange(this.key('outbox', 'due'), 0, 0, 'WITHSCORES')
      .zcard(this.key('outbox', 'exhausted'))
      .exec();
    const [due, pending, dead, oldest, exhausted] = (reply ?? []).map(([, value]) => value);
    const oldestDueMs = Array.isArray(oldest) && oldest.length === 2 ? Number(oldest[1]) : null;
    return {
      due: Number(due),
      inFlight: Number(pending) - Number(due),
      dead: Number(dead),
      exhausted: Number(exhausted),
      oldestDueMs: oldestDueMs !== null && oldestDueMs <= nowMs ? oldestDueMs : null,
    };
  }

  /**
   * Pending and dead-lettered effects whose id starts with `idPrefix`, and the due time of the
   * oldest pending one due now: a ZSCAN … MATCH of the due and dead sets, both in one MULTI per
   * step, at most PREFIX_SCAN_STEPS steps of PREFIX_SCAN_COUNT entries (a small set answers
   * whole in one). Past that bound the counts are lower bounds and `complete` is false.
   */
  async countWithPrefix(idPrefix: string, nowMs: number): Promise<PrefixCounts> {
    const match = `${idPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const keys = { due: this.key('outbox', 'due'), dead: this.key('outbox', 'dead') };
    // ZSCAN may return an entry twice (while the set rehashes): count ids, not replies.
    const pending = new Map<string, number>();
    const dead = new Set<string>();
    const cursors: { due: string | null; dead: string | null } = { due: '0', dead: '0' };
    for (let step = 0; step < PREFIX_SCAN_STEPS; step += 1) {
      const sets = (['due', 'dead'] as const).filter((set) => cursors[set] !== null);
      if (sets.length === 0) break;
      const multi = this.redis.multi();
      for (const set of sets)
        multi.zscan(keys[set], cursors[set] as string, 'MATCH', match, 'COUNT', PREFIX_SCAN_COUNT);
      const reply = (await multi.exec()) ?? [];
      sets.forEach((set, i) => {
        const [error, value] = reply[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        const [next, flat] = value as [string, string[]];
        cursors[set] = next === '0' ? null : next;
        for (let j = 0; j < flat.length; j += 2) {
          if (set === 'due') pending.set(flat[j] as string, Number(flat[j + 1]));
          else dead.add(flat[j] as string);
        }
      });
    }
    let oldestDueMs: number | null = null;
    for (const dueMs of pending.values()) {
      if (dueMs <= nowMs && (oldestDueMs === null || dueMs < oldestDueMs)) oldestDueMs = dueMs;
    }
    return {
      pending: pending.size,
      oldestDueMs,
      dead: dead.size,
      complete: cursors.due === null && cursors.dead === null,
    };
  }

  async countByStatus(): Promise<Record<EffectStatus, number>> {
    const counts: Record<EffectStatus, number> = {
      pending: 0,
      delivered: 0,
      dead: 0,
      superseded: 0,
    };
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(
        this.key('outbox', 'status'),
        cursor,
        'COUNT',
        1000,
      );
      cursor = next;
      for (let i = 1; i < flat.length; i += 2) counts[flat[i] as EffectStatus] += 1;
    } while (cursor !== '0');
    return counts;
  }
}
