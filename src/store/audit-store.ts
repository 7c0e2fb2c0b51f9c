import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import {
  CommerceActionSchema,
  DecisionResultSchema,
  EvidenceRefSchema,
  InstantSchema,
  PolicyDomainSchema,
} from '../domain/index.js';
import { auditKeyParts } from './catalog-layout.js';
import { type TenantKey, tenantKeys } from './keys.js';

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
 * The decision history of a product, one Redis stream per product (`audit:<id>`), trimmed with
 * XADD MAXLEN ~ so a busy product keeps roughly its last N entries. An entry is appended only
 * when an evaluation changed at least one decision; it lists only the changed decisions.
 */
export class AuditStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly tenant: string,
    private readonly maxLenPerProduct: number,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /** Queues the XADD on a caller's MULTI, so the audit lands with the profiles it explains. */
  append(
    multi: ChainableCommander,
    productId: string,
    entry: Omit<AuditEntry, 'id'>,
  ): ChainableCommander {
    return multi.xadd(
      this.key(...auditKeyParts(productId)),
      'MAXLEN',
      '~',
      this.maxLenPerProduct,
      '*',
      'evaluatedAt',
      entry.evaluatedAt,
      'rulesetVersion',
      entry.rulesetVersion,
      'changes',
      JSON.stringify(entry.changes),
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
      const fields = new Map<string, string>();
      for (let i = 0; i < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
      return {
        id,
        evaluatedAt: fields.get('evaluatedAt') ?? '',
        rulesetVersion: fields.get('rulesetVersion') ?? '',
        changes: JSON.parse(fields.get('changes') ?? '[]') as AuditChange[],
      };
    });
  }

  async exists(productId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(...auditKeyParts(productId)))) === 1;
  }
}
