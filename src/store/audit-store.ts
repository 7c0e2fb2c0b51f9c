import type { ChainableCommander } from 'ioredis';
import { z } from 'zod';
import {
  type Blocker,
  blocker,
  CommerceActionSchema,
  type DecisionResult,
  DecisionResultSchema,
  EvidenceRefSchema,
  InstantSchema,
  PolicyDomainSchema,
  toInstant,
} from '../domain/index.js';
import { auditKeyParts } from './catalog-layout.js';
import { type TenantKey, tenantKeys } from './keys.js';
import { evidenceOfKey, type StoredBlocker, type StoredDecision } from './profile-codec.js';
import type { RedisClient } from './redis.js';

/** One changed decision as the audit keeps it: enough to answer "why was this allowed at 10:02?". */
export const AuditChangeSchema = z.object({
  /** `REGION|buyerType|channel` */
  context: z.string(),
  action: CommerceActionSchema,
  policyDomain: PolicyDomainSchema.optional(),
  result: DecisionResultSchema,
  /** the result before this change; absent for the product's first evaluation in the context */
  previousResult: DecisionResultSchema.optional(),
  blockers: z.array(z.string()),
  evidenceRefs: z.array(EvidenceRefSchema),
  validUntil: InstantSchema.nullable(),
});
export type AuditChange = z.infer<typeof AuditChangeSchema>;

/** One audit entry: every decision of one product that one evaluation changed. */
export interface AuditEntry {
  /** stream entry id: ms-seq, increasing */
  id: string;
  evaluatedAt: string;
  rulesetVersion: string;
  changes: AuditChange[];
}

/**
 * What an evaluation appends, per context that changed: the changed decisions in the stored
 * profile's compact form (profile-codec.ts) with the evidence table they index, and the results
 * they replace. On a product's first evaluation the stored profile's own JSON is reused as is,
 * so the audit of a fresh catalog costs no second serialization.
 */
export interface AuditAppend {
  evaluatedAt: string;
  rulesetVersion: string;
  /** context key → JSON of {r, x, k, d, b?} (b: decision key → previous result) */
  contexts: Map<string, string | Buffer>;
}

interface StoredAuditContext {
  r: string;
  x: string[];
  k: StoredBlocker[];
  d: StoredDecision[];
  b?: Record<string, DecisionResult>;
}

const RESERVED = new Set(['evaluatedAt', 'rulesetVersion']);

/** A changed decision with its blockers in full: code, message, nextAction (and params). */
export interface DetailedAuditChange extends AuditChange {
  blockerDetails: Blocker[];
}

/**
 * The changed decisions of one audit context as stored (`AuditAppend.contexts` JSON), with
 * each blocker rebuilt the way the domain built it (`blocker(code, params)`).
 */
export function detailedChangesOf(context: string, json: string): DetailedAuditChange[] {
  const stored = JSON.parse(json) as StoredAuditContext;
  return expand(context, stored).map((change, i) => {
    const indexes = (stored.d[i] as StoredDecision)[3];
    const blockerDetails = indexes.map((at) => {
      const [code, params] = stored.k[at] as StoredBlocker;
      return blocker(code, params);
    });
    return { ...change, blockerDetails };
  });
}

function expand(context: string, stored: StoredAuditContext): AuditChange[] {
  return stored.d.map(([action, domain, result, blockers, , evidence, validUntil]) => {
    const change: AuditChange = {
      context,
      action,
      result,
      blockers: blockers.map((at) => (stored.k[at] as StoredBlocker)[0]),
      evidenceRefs: evidence.map((at) => evidenceOfKey(stored.x[at] as string, stored.r)),
      validUntil: validUntil === 0 ? null : toInstant(validUntil),
    };
    if (domain !== 0) change.policyDomain = domain;
    const previous = stored.b?.[`${action}/${domain || ''}`];
    if (previous !== undefined) change.previousResult = previous;
    return change;
  });
}

/**
 * The decision history of a product, one Redis stream per product (`audit:<id>`), trimmed with
 * XADD MAXLEN ~ so a busy product keeps roughly its last N entries. An entry is appended only
 * when an evaluation changed at least one decision; it lists only the changed decisions, and
 * the reader expands them into readable changes.
 */
export class AuditStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
    private readonly maxLenPerProduct: number,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /** Queues the XADD on a caller's MULTI, so the audit lands with the profiles it explains. */
  append(multi: ChainableCommander, productId: string, entry: AuditAppend): ChainableCommander {
    const fields: (string | Buffer)[] = [
      'evaluatedAt',
      entry.evaluatedAt,
      'rulesetVersion',
      entry.rulesetVersion,
    ];
    for (const [context, json] of entry.contexts) fields.push(context, json);
    return multi.xadd(
      this.key(...auditKeyParts(productId)),
      'MAXLEN',
      '~',
      this.maxLenPerProduct,
      '*',
      ...fields,
    );
  }

  /** Newest first. */
  async history(productId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(
      this.key(...auditKeyParts(productId)),
      '+',
      '-',
      'COUNT',
      limit,
    );
    return rows.map(([id, flat]) => {
      const entry: AuditEntry = { id, evaluatedAt: '', rulesetVersion: '', changes: [] };
      for (let i = 0; i < flat.length; i += 2) {
        const name = flat[i] as string;
        const value = flat[i + 1] as string;
        if (name === 'evaluatedAt') entry.evaluatedAt = value;
        else if (name === 'rulesetVersion') entry.rulesetVersion = value;
        else if (!RESERVED.has(name))
          entry.changes.push(...expand(name, JSON.parse(value) as StoredAuditContext));
      }
      return entry;
    });
  }

  async exists(productId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(...auditKeyParts(productId)))) === 1;
  }
}
