import type { ChainableCommander } from 'ioredis';
import {
  BLOCKERS,
  type BlockerCode,
  READINESS_STATES,
  type Readiness,
  type ReadinessEntry,
} from '../domain/index.js';
import { CATALOG_KEY_PARTS as PARTS, readinessSetParts } from './catalog-layout.js';
import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * The readiness index of one tenant, kept by the evaluation in the MULTI that writes the
 * profiles, so the operator page never walks the catalog:
 * - `readiness:<context>:<state>` sorted set: the ids in that state (all scores 0, so ranges by
 *   id with ZRANGEBYLEX, and prefix search by id is a lex range too);
 * - `readiness:<context>:<state>:<code>` sorted set: the ids in that state held back by `code`.
 * The counters are these sets' cardinalities (ZCARD, O(1)): membership is set by ZADD and ZREM,
 * which are idempotent, so an evaluation applied twice (a stalled job run again while the first
 * run still writes) or one that read an older profile cannot count a product twice or lose it —
 * an increment/decrement counter beside the sets could. A `ready` product has no blocker codes,
 * so a code filter reads at most two sets (partially ready, blocked), whose ids never overlap.
 */

/** One product's readiness in one context, as an evaluation leaves it. */
export interface ReadinessChange {
  productId: string;
  contextKey: string;
  /** what the previous stored profile said (read with it); absent when there was none */
  before?: ReadinessEntry;
  /** absent when the product is gone */
  after?: ReadinessEntry;
}

/** Ids per set within one context: set (`state`, or `state` + '/' + `code`) → product ids. */
type Grouped = Map<string, Map<string, string[]>>;

function push(grouped: Grouped, contextKey: string, member: string, id: string): void {
  let byMember = grouped.get(contextKey);
  if (byMember === undefined) {
    byMember = new Map();
    grouped.set(contextKey, byMember);
  }
  const ids = byMember.get(member);
  if (ids === undefined) byMember.set(member, [id]);
  else ids.push(id);
}

/**
 * Adds to `multi` what the changes do to the index: each product joins every set its new entry
 * names (again, if it is there already: that heals a product a lost write left out) and leaves
 * the other state sets and the code sets its previous profile put it in. Grouped per key, so a
 * slice of a hundred products costs a few ZADD/ZREM, not a few per product. (A batch makes tens
 * of thousands of changes, so this walks them without building a set per change.)
 */
export function appendReadinessChanges(
  multi: ChainableCommander,
  key: TenantKey,
  changes: readonly ReadinessChange[],
): void {
  if (changes.length === 0) return;
  const adds: Grouped = new Map();
  const removes: Grouped = new Map();
  for (const { productId, contextKey, before, after } of changes) {
    if (after !== undefined) {
      push(adds, contextKey, after.state, productId);
      for (const code of after.codes) push(adds, contextKey, `${after.state}/${code}`, productId);
    }
    for (const state of READINESS_STATES) {
      if (state !== after?.state) push(removes, contextKey, state, productId);
    }
    if (before !== undefined) {
      const kept = after !== undefined && after.state === before.state ? after.codes : [];
      for (const code of before.codes) {
        if (!kept.includes(code)) push(removes, contextKey, `${before.state}/${code}`, productId);
      }
    }
  }
  const setKey = (contextKey: string, member: string) => {
    const slash = member.indexOf('/');
    return slash < 0
      ? key(...readinessSetParts(contextKey, member))
      : key(...readinessSetParts(contextKey, member.slice(0, slash), member.slice(slash + 1)));
  };
  for (const [contextKey, byMember] of removes)
    for (const [member, ids] of byMember) multi.zrem(setKey(contextKey, member), ...ids);
  for (const [contextKey, byMember] of adds)
    for (const [member, ids] of byMember)
      multi.zadd(setKey(contextKey, member), ...ids.flatMap((id) => [0, id]));
}

/** Counts of one context: per state, and per blocker code (partially ready and blocked together). */
export interface ContextCounts {
  states: Record<Readiness, number>;
  codes: Map<BlockerCode, number>;
}

/** What the page lists: products of one context in a state, held back by a code, by id prefix. */
export interface ReadinessListQuery {
  contextKey: string;
  state?: Readiness;
  code?: BlockerCode;
  /** product id prefix */
  prefix?: string;
  /** exclusive cursors: the page after this id, or the page before this id */
  after?: string;
  before?: string;
  limit: number;
}

export interface ReadinessListPage {
  ids: string[];
  /** products matching the filter and prefix */
  total: number;
  /** matching products before the first one listed */
  offset: number;
  hasNext: boolean;
}

/** The smallest id after every id starting with `prefix`: the prefix and a 0xff byte. */
function prefixEnd(prefix: string): Buffer {
  return Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]);
}

export class ReadinessIndexStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /**
   * Counts of the given contexts: the cardinality of every state set and of every (state, code)
   * set a blocker code can have, in one pipeline of O(1) ZCARDs.
   */
  async counts(contextKeys: readonly string[]): Promise<Map<string, ContextCounts>> {
    const codes = Object.keys(BLOCKERS) as BlockerCode[];
    const held = READINESS_STATES.filter((state) => state !== 'ready');
    const pipeline = this.redis.pipeline();
    for (const contextKey of contextKeys) {
      for (const state of READINESS_STATES)
        pipeline.zcard(this.key(...readinessSetParts(contextKey, state)));
      for (const code of codes)
        for (const state of held)
          pipeline.zcard(this.key(...readinessSetParts(contextKey, state, code)));
    }
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0] as Error;
    let at = 0;
    const next = () => Number(replies[at++]?.[1] ?? 0);
    const out = new Map<string, ContextCounts>();
    for (const contextKey of contextKeys) {
      const states = { ready: next(), partially_ready: next(), blocked: next() };
      const byCode = new Map<BlockerCode, number>();
      for (const code of codes) {
        let n = 0;
        for (let i = 0; i < held.length; i += 1) n += next();
        if (n > 0) byCode.set(code, n);
      }
      out.set(contextKey, { states, codes: byCode });
    }
    return out;
  }

  /** The sorted sets a query reads: the catalog's id index when nothing is filtered. */
  private setsOf(query: ReadinessListQuery): string[] {
    const { contextKey, state, code } = query;
    if (state === undefined && code === undefined) return [this.key(...PARTS.productIndex)];
    if (code === undefined) return [this.key(...readinessSetParts(contextKey, state as string))];
    const states = state === undefined ? READINESS_STATES.filter((s) => s !== 'ready') : [state];
    return states.map((s) => this.key(...readinessSetParts(contextKey, s, code)));
  }

  /**
   * One page of ids in id order, with the total and the offset, in one round trip: per set a
   * ZRANGEBYLEX (or ZREVRANGEBYLEX for the page before a cursor) and two ZLEXCOUNTs, each
   * O(log n + page); sets of a code filter are merged here.
   */
  async list(query: ReadinessListQuery): Promise<ReadinessListPage> {
    const sets = this.setsOf(query);
    const low: string | Buffer = query.prefix ? `[${query.prefix}` : '-';
    const high: string | Buffer = query.prefix ? prefixEnd(query.prefix) : '+';
    const fetch = query.limit + 1;
    const pipeline = this.redis.pipeline();
    for (const set of sets) {
      if (query.before !== undefined) {
        pipeline.zrevrangebylex(set, `(${query.before}`, low, 'LIMIT', 0, fetch);
        pipeline.zlexcount(set, low, `(${query.before}`);
      } else {
        const from =
          query.after !== undefined && (query.prefix === undefined || query.after >= query.prefix)
            ? `(${query.after}`
            : low;
        pipeline.zrangebylex(set, from, high, 'LIMIT', 0, fetch);
        pipeline.zlexcount(set, low, query.after !== undefined ? `[${query.after}` : low);
      }
      pipeline.zlexcount(set, low, high);
    }
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0] as Error;
    let ids: string[] = [];
    let preceding = 0;
    let total = 0;
    sets.forEach((_, i) => {
      ids.push(...((replies[i * 3]?.[1] as string[] | undefined) ?? []));
      preceding += Number(replies[i * 3 + 1]?.[1]);
      total += Number(replies[i * 3 + 2]?.[1]);
    });
    if (query.before !== undefined) {
      // Fewer than a page before the cursor: that is the first page, shown full.
      if (preceding < query.limit) {
        const { before: _, ...first } = query;
        return this.list(first);
      }
      // Nearest first from each set: keep the `limit` largest, then list them in id order.
      ids = [...new Set(ids)].sort().reverse().slice(0, query.limit).reverse();
      return {
        ids,
        total,
        offset: preceding - ids.length,
        hasNext: true,
      };
    }
    // With no cursor the "preceding" count is ZLEXCOUNT(low, low): 0 or the prefix itself.
    const offset = query.after === undefined ? 0 : preceding;
    ids = [...new Set(ids)].sort();
    return { ids: ids.slice(0, query.limit), total, offset, hasNext: ids.length > query.limit };
  }
}
