import type { MandateReuse } from '../domain/index.js';
import { idempotencyRecordKey } from './idempotency-store.js';
import { type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import { AUDIT_MAXLEN, type DueEffect, effectTriples } from './outbox-store.js';
import type { RedisClient } from './redis.js';

/** What the commit script reads of a reusable mandate (its id names the key). */
function reuseLimits({ amount, budgetMax, maxUses, minSpacingMs, countedUntil }: MandateReuse) {
  return { amount, budgetMax, maxUses, minSpacingMs, untilMs: Date.parse(countedUntil) };
}

/**
 * Checkouts of one tenant, each a hash `checkout:<id>` {v: version, doc: JSON}. A transition is
 * written by `commit`: new document, version bump, outbox effects, the Idempotency-Key answer
 * (see idempotency-store.ts) and audit event in one Lua call, checked against the version it
 * was computed from.
 */

export interface CommitInput {
  checkoutId: string;
  /** The version the new document was computed from; 0 to create. */
  expectedVersion: number;
  doc: string;
  idempotency?: { key: string; fingerprint: string; answer: string; ttlSeconds: number };
  effects: readonly DueEffect[];
  audit: Record<string, unknown>;
  /** A payment the transition opened, indexed for reconciliation. */
  paymentId?: string;
  /** One-time values the transition spends (a signed mandate's nonce, jti), once ever. */
  spends?: OneTimeSpends;
}

export interface OneTimeSpends {
  values: readonly string[];
  /** Until when they stay spent: past it, the mandate they came from has expired anyway. */
  untilMs: number;
  nowMs: number;
  /** A reusable mandate's limits, checked against its use so far and counted. */
  reuse?: MandateReuse;
}

/** Why the transition found the mandate's use refused. */
export type UseRefusal = 'spent' | 'budget' | 'uses' | 'spacing';

export type CommitResult =
  | { kind: 'ok'; version: number }
  | { kind: 'version_conflict'; currentVersion: number }
  | { kind: 'replay'; answer: string }
  | { kind: 'idempotency_conflict' }
  | { kind: 'use_refused'; reason: UseRefusal };

export interface StoredCheckout {
  version: number;
  doc: string;
}

export class CheckoutStore {
  readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  checkoutKey(id: string): string {
    return this.key('checkout', id);
  }

  async load(id: string): Promise<StoredCheckout | undefined> {
    const [version, doc] = await this.redis.hmget(this.checkoutKey(id), 'v', 'doc');
    if (version == null || doc == null) return undefined;
    return { version: Number(version), doc };
  }

  async commit(input: CommitInput): Promise<CommitResult> {
    const idem = input.idempotency;
    const reply = (await runScript(
      this.redis,
      'checkout-commit-9',
      [
        this.checkoutKey(input.checkoutId),
        idempotencyRecordKey(this.key, idem?.key ?? '-'),
        this.key('outbox', 'def'),
        this.key('outbox', 'status'),
        this.key('outbox', 'due'),
        this.key('audit'),
        this.key('payments'),
        this.key('spent-one-time'),
        this.key('mandate-use', input.spends?.reuse?.id ?? '-'),
      ],
      [
        input.expectedVersion,
        input.doc,
        idem === undefined ? '0' : '1',
        idem?.fingerprint ?? '',
        idem?.answer ?? '',
        idem?.ttlSeconds ?? 0,
        JSON.stringify(input.audit),
        AUDIT_MAXLEN,
        input.paymentId ?? '',
        input.checkoutId,
        input.spends?.nowMs ?? 0,
        input.spends?.untilMs ?? 0,
        input.spends?.reuse === undefined ? '' : JSON.stringify(reuseLimits(input.spends.reuse)),
        input.spends?.values.length ?? 0,
        ...(input.spends?.values ?? []),
        ...effectTriples(input.effects),
      ],
    )) as (string | number)[];
    switch (reply[0]) {
      case 'ok':
        return { kind: 'ok', version: Number(reply[1]) };
      case 'version_conflict':
        return { kind: 'version_conflict', currentVersion: Number(reply[1]) };
      case 'replay':
        return { kind: 'replay', answer: String(reply[1]) };
      case 'use_refused':
        return { kind: 'use_refused', reason: String(reply[1]) as UseRefusal };
      default:
        return { kind: 'idempotency_conflict' };
    }
  }

  /** Pages through payment id → checkout id, for reconciliation. */
  async *scanPayments(count = 500): AsyncGenerator<[paymentId: string, checkoutId: string][]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.key('payments'), cursor, 'COUNT', count);
      cursor = next;
      const pairs: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2)
        pairs.push([flat[i] as string, flat[i + 1] as string]);
      if (pairs.length > 0) yield pairs;
    } while (cursor !== '0');
  }

  async putReconciliationReport(report: string): Promise<void> {
    await this.redis.set(this.key('reconciliation', 'last'), report);
  }

  async getReconciliationReport(): Promise<string | undefined> {
    return (await this.redis.get(this.key('reconciliation', 'last'))) ?? undefined;
  }
}
