import type { ChainableCommander } from 'ioredis';
import type { AuditAppend } from './audit-store.js';
import { type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';
import { liveWatchSetKey } from './watch-session-store.js';

/**
 * The tenant's decision changes on their way to subscribers (issue 18). While the tenant has a
 * subscription, every evaluation MULTI that changes decisions also appends one entry to the
 * tenant's change stream (`decision-changes`), listing each changed product's audit contexts in
 * the very bytes its audit entry holds. The projector reads the stream from its cursor and turns
 * entries into outbox effects (decision-events-project-7.lua); the delivery asks the ordering
 * gate (decision-events-gate-5.lua) before each send.
 *
 * One entry per MULTI, not per product: a slice of 100 products costs one XADD more, not 100.
 * Its fields are `t` evaluatedAt, `r` ruleset version, then per product `p` its id followed by
 * one field per changed context (context key → the audit's stored context JSON); context keys
 * (`US|consumer|agent`) are never `p`, `t` or `r`.
 */

/** One changed product of a change-stream entry: context key → stored audit context JSON. */
export interface ChangedProduct {
  productId: string;
  contexts: [contextKey: string, json: string][];
}

export interface ChangeEntry {
  /** stream entry id (`ms-seq`), increasing */
  id: string;
  evaluatedAt: string;
  rulesetVersion: string;
  products: ChangedProduct[];
}

/** One event the projector writes, with the compare-and-set of its ordering key. */
export interface ProjectedEvent {
  orderingKey: string;
  /** the key's next event as the projector read it ('' none): superseded by this row */
  previousNextId: string;
  id: string;
  definition: string;
  dueMs: number;
  sequence: number;
}

/** An event as the ordering gate knows it. */
export interface GateEvent {
  id: string;
  orderingKey: string;
  subscriptionId: string;
}

export type GateAnswer =
  | { kind: 'send' }
  | { kind: 'held'; delayMs: number }
  | { kind: 'superseded'; reason: 'replaced' | 'unsubscribed' }
  /** no longer pending: settled by another job meanwhile; nothing to send */
  | { kind: 'settled'; status: string };

/** Bounds the stream if no projector runs for a long time (entries are slices of changes). */
const STREAM_MAXLEN = 200_000;

export class DecisionChangeStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  private get streamKey() {
    return this.key('decision-changes');
  }
  private get cursorKey() {
    return this.key('decision-changes', 'cursor');
  }
  private eventsKey(part: 'seq' | 'next' | 'sending' | 'begun') {
    return this.key('decision-events', part);
  }
  private get subscriptionsKey() {
    return this.key('subscriptions', 'products');
  }

  /**
   * Whether someone may hear of the tenant's changes, so its evaluations must record them: a
   * product subscription, or a live watch session (an MCP client's resource subscription).
   */
  async active(nowMs: number): Promise<boolean> {
    const [subscriptions, live] = await Promise.all([
      this.redis.exists(this.subscriptionsKey),
      this.redis.zcount(liveWatchSetKey(this.key), nowMs, '+inf'),
    ]);
    return subscriptions === 1 || live > 0;
  }

  /** Queues the entry's XADD on the evaluation's MULTI; nothing when no decision changed. */
  append(multi: ChainableCommander, changes: readonly { productId: string; entry: AuditAppend }[]) {
    const first = changes[0];
    if (first === undefined) return;
    const fields: (string | Buffer)[] = [
      't',
      first.entry.evaluatedAt,
      'r',
      first.entry.rulesetVersion,
    ];
    for (const { productId, entry } of changes) {
      fields.push('p', productId);
      for (const [context, json] of entry.contexts) fields.push(context, json);
    }
    multi.xadd(this.streamKey, 'MAXLEN', '~', STREAM_MAXLEN, '*', ...fields);
  }

  /**
   * Up to `count` entries after the cursor, and the cursor they were read after. `trimmed` says
   * the cursor's own entry is gone: the projector keeps it (it trims to the cursor), so only
   * STREAM_MAXLEN can have dropped it, and with it entries never projected.
   */
  async readAfterCursor(
    count: number,
  ): Promise<{ cursor: string; entries: ChangeEntry[]; trimmed: boolean }> {
    const cursor = (await this.redis.get(this.cursorKey)) ?? '';
    const reply = await this.redis
      .multi()
      .xrange(this.streamKey, cursor === '' ? '-' : `(${cursor}`, '+', 'COUNT', count)
      .xrange(this.streamKey, cursor === '' ? '-' : cursor, cursor === '' ? '-' : cursor)
      .exec();
    const [rows, own] = (reply ?? []).map(([error, value]) => {
      if (error) throw error;
      return value as [string, string[]][];
    }) as [[string, string[]][], [string, string[]][]];
    const entries = rows.map(([id, flat]) => parseEntry(id, flat));
    return { cursor, entries, trimmed: cursor !== '' && own.length === 0 && entries.length > 0 };
  }

  /**
   * Entries not yet projected and the age of the oldest, for operators and the sweep. The
   * projector trims the stream to its cursor, so at most the cursor's own entry is left before
   * the backlog.
   */
  async backlog(nowMs: number): Promise<{ entries: number; oldestAgeMs: number | null }> {
    const reply = await this.redis
      .multi()
      .get(this.cursorKey)
      .xlen(this.streamKey)
      .xrange(this.streamKey, '-', '+', 'COUNT', 2)
      .exec();
    const [cursor, length, head] = (reply ?? []).map(([, value]) => value) as [
      string | null,
      number,
      [string, string[]][],
    ];
    const unprojected = head.filter(([id]) => cursor === null || compareIds(id, cursor) > 0);
    const entries = Math.max(0, length - (head.length - unprojected.length));
    const first = unprojected[0];
    if (first === undefined || entries === 0) return { entries: 0, oldestAgeMs: null };
    return { entries, oldestAgeMs: Math.max(0, nowMs - Number(first[0].split('-')[0])) };
  }

  /**
   * Each ordering key's next event id ('' none), begun event id ('' none: the last one a send
   * began with) and last sequence number (0 none), in order.
   */
  async keyStates(
    keys: readonly string[],
  ): Promise<{ nextId: string; begunId: string; sequence: number }[]> {
    if (keys.length === 0) return [];
    const [next, begun, seq] = await Promise.all([
      this.redis.hmget(this.eventsKey('next'), ...keys),
      this.redis.hmget(this.eventsKey('begun'), ...keys),
      this.redis.hmget(this.eventsKey('seq'), ...keys),
    ]);
    return keys.map((_, i) => ({
      nextId: next[i] ?? '',
      begunId: begun[i] ?? '',
      sequence: Number(seq[i] ?? 0),
    }));
  }

  /**
   * Forgets the per-key state (next, sending, begun, sequence) of a deleted subscription, so a
   * subscription's keys cost nothing once it is gone. Not atomic with the delete: an event still
   * waiting is dropped by the gate anyway (its subscription is gone), and a subscription created
   * again under the same id starts its sequences over.
   */
  async forgetSubscription(subscriptionId: string): Promise<number> {
    let forgotten = 0;
    for (const part of ['next', 'sending', 'begun', 'seq'] as const) {
      const key = this.eventsKey(part);
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(
          key,
          cursor,
          'MATCH',
          `${subscriptionId} *`,
          'COUNT',
          1_000,
        );
        cursor = next;
        const fields = flat.filter((_, i) => i % 2 === 0);
        if (fields.length > 0) forgotten += await this.redis.hdel(key, ...fields);
      } while (cursor !== '0');
    }
    return forgotten;
  }

  /** Writes a projection step (decision-events-project-7.lua); false on a conflict. */
  async project(
    cursor: string,
    nextCursor: string,
    events: readonly ProjectedEvent[],
    outbox: { def: string; status: string; due: string },
  ): Promise<boolean> {
    const reply = (await runScript(
      this.redis,
      'decision-events-project-7',
      [
        this.cursorKey,
        this.streamKey,
        this.eventsKey('seq'),
        this.eventsKey('next'),
        outbox.def,
        outbox.status,
        outbox.due,
      ],
      [
        cursor,
        nextCursor,
        ...events.flatMap((event) => [
          event.orderingKey,
          event.previousNextId,
          event.id,
          event.definition,
          event.dueMs,
          event.sequence,
        ]),
      ],
    )) as string[];
    return reply[0] === 'ok';
  }

  /** The ordering gate before a send (decision-events-gate-5.lua). */
  async begin(
    event: GateEvent,
    outboxStatusKey: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<GateAnswer> {
    return (await this.beginMany([event], outboxStatusKey, nowMs, leaseMs))[0] as GateAnswer;
  }

  /** The gate's answers for several events in one call, in order. */
  async beginMany(
    events: readonly GateEvent[],
    outboxStatusKey: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<GateAnswer[]> {
    const reply = await this.gate('begin', events, outboxStatusKey, nowMs, leaseMs);
    return events.map((_, i): GateAnswer => {
      const [answer, detail] = [reply[2 * i], reply[2 * i + 1]];
      if (answer === 'send') return { kind: 'send' };
      if (answer === 'held') return { kind: 'held', delayMs: Number(detail) };
      if (answer === 'settled') return { kind: 'settled', status: String(detail) };
      return {
        kind: 'superseded',
        reason: detail === 'unsubscribed' ? 'unsubscribed' : 'replaced',
      };
    });
  }

  /** Lets go of the key after a send, whatever its answer. */
  async end(event: GateEvent, outboxStatusKey: string): Promise<void> {
    await this.endMany([event], outboxStatusKey);
  }

  async endMany(events: readonly GateEvent[], outboxStatusKey: string): Promise<void> {
    await this.gate('end', events, outboxStatusKey, 0, 0);
  }

  private async gate(
    op: 'begin' | 'end',
    events: readonly GateEvent[],
    outboxStatusKey: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<string[]> {
    if (events.length === 0) return [];
    return (await runScript(
      this.redis,
      'decision-events-gate-5',
      [
        this.eventsKey('next'),
        this.eventsKey('sending'),
        this.eventsKey('begun'),
        outboxStatusKey,
        this.subscriptionsKey,
      ],
      [
        op,
        nowMs,
        leaseMs,
        ...events.flatMap((event) => [event.id, event.orderingKey, event.subscriptionId]),
      ],
    )) as string[];
  }
}

/** Orders two stream ids (`ms-seq`). */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am === bm ? as - bs : am - bm;
}

function parseEntry(id: string, flat: string[]): ChangeEntry {
  const entry: ChangeEntry = { id, evaluatedAt: '', rulesetVersion: '', products: [] };
  let product: ChangedProduct | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] as string;
    const value = flat[i + 1] as string;
    if (name === 't') entry.evaluatedAt = value;
    else if (name === 'r') entry.rulesetVersion = value;
    else if (name === 'p') {
      product = { productId: value, contexts: [] };
      entry.products.push(product);
    } else product?.contexts.push([name, value]);
  }
  return entry;
}
