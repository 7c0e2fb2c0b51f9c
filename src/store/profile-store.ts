import { FEED_NAMES } from '../queues/catalog-queues.js';
import type { AuditAppend, AuditStore } from './audit-store.js';
import {
  claimedKeyParts,
  feedRenderKeyParts,
  CATALOG_KEY_PARTS as PARTS,
  profilesKeyParts,
} from './catalog-layout.js';
import type { DecisionChangeStore } from './decision-change-store.js';
import { type TenantKey, tenantKeys } from './keys.js';
import type { StoredProfile } from './profile-codec.js';
import { appendReadinessChanges, type ReadinessChange } from './readiness-index.js';
import type { RedisClient } from './redis.js';

/** What one evaluation batch writes, all in one MULTI. */
export interface EvaluationCommit {
  /**
   * the part of a job's claim this write settles: these ids leave the job's claimed set in the
   * same MULTI (Redis drops the set with its last member), so a crash between two writes of one
   * batch leaves exactly the unwritten ids claimed
   */
  claim?: { jobId: string; ids: readonly string[] };
  /**
   * contextKey → productId → stored profile JSON, as text or already UTF-8 encoded (the
   * evaluation encodes each profile once and hands the same bytes to the profile and the audit)
   */
  profiles: Map<string, Map<string, string | Buffer>>;
  /** products that no longer exist: their profiles and due entries go */
  removed: string[];
  /** productId → ms of its earliest validUntil (null: nothing expires, leave the due set) */
  due: Map<string, number | null>;
  audit: { productId: string; entry: AuditAppend }[];
  /**
   * each evaluated or removed product's readiness per context: the readiness index follows in
   * the same MULTI as the profiles it indexes
   */
  readiness?: ReadinessChange[];
}

/**
 * Stored action profiles of one tenant: one hash per evaluation context (`profiles:<context>`,
 * product id → compact profile, see profile-codec.ts). One hash per context lets a batch read or
 * write a whole context with one HMGET / HSET, and a feed page read its context in one round trip.
 */
export class ProfileStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  profilesKey(contextKey: string): string {
    return this.key(...profilesKeyParts(contextKey));
  }

  /** Raw stored JSON for ids in one context, in order (null: none stored). */
  async readRaw(contextKey: string, ids: readonly string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    return this.redis.hmget(this.profilesKey(contextKey), ...ids);
  }

  async read(contextKey: string, productId: string): Promise<StoredProfile | undefined> {
    const raw = await this.redis.hget(this.profilesKey(contextKey), productId);
    return raw === null ? undefined : (JSON.parse(raw) as StoredProfile);
  }

  /**
   * Writes the batch in one MULTI; with `changes` (the tenant has subscriptions), the changed
   * decisions also go to the tenant's change stream in that MULTI, so a subscriber hears of
   * exactly what the audit records.
   */
  async commit(
    batch: EvaluationCommit,
    audit: AuditStore,
    contextKeys: readonly string[],
    changes?: DecisionChangeStore,
  ) {
    const multi = this.redis.multi();
    for (const [contextKey, byId] of batch.profiles) {
      if (byId.size === 0) continue;
      const flat: (string | Buffer)[] = [];
      for (const [id, json] of byId) flat.push(id, json);
      multi.hset(this.profilesKey(contextKey), ...flat);
    }
    if (batch.removed.length > 0) {
      for (const contextKey of contextKeys)
        multi.hdel(this.profilesKey(contextKey), ...batch.removed);
      for (const feed of FEED_NAMES)
        multi.hdel(this.key(...feedRenderKeyParts(feed)), ...batch.removed);
      multi.zrem(this.key(...PARTS.due), ...batch.removed);
    }
    const dueAdd: (string | number)[] = [];
    const dueRemove: string[] = [];
    for (const [id, ms] of batch.due) {
      if (ms === null) dueRemove.push(id);
      else dueAdd.push(ms, id);
    }
    if (dueAdd.length > 0) multi.zadd(this.key(...PARTS.due), ...dueAdd);
    if (dueRemove.length > 0) multi.zrem(this.key(...PARTS.due), ...dueRemove);
    for (const { productId, entry } of batch.audit) audit.append(multi, productId, entry);
    changes?.append(multi, batch.audit);
    appendReadinessChanges(multi, this.key, batch.readiness ?? []);
    if (batch.claim !== undefined && batch.claim.ids.length > 0)
      multi.srem(this.key(...claimedKeyParts(batch.claim.jobId)), ...batch.claim.ids);
    const replies = await multi.exec();
    const failed = replies?.find(([error]) => error !== null);
    if (replies === null || failed !== undefined) {
      throw new Error(`profile commit failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
    }
  }
}
