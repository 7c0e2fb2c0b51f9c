import {
  admitRequest,
  type CheckoutEvent,
  type MandateReuse,
  type MandateUseRefusal,
  toInstant,
  versionConflict,
} from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { CheckoutStore } from '../../store/checkout-store.js';
import type { IdempotencyStore } from '../../store/idempotency-store.js';
import type { DueEffect } from '../../store/outbox-store.js';
import type {
  CheckoutRecord,
  TransitionAnswer,
  TransitionDecision,
  TransitionResult,
} from './checkout-record.js';
import { admit, requestFingerprint } from './idempotency.js';

/**
 * The one way a checkout changes: read it, let the domain decide, and commit the new document,
 * its version, its outbox effects, its Idempotency-Key answer and its audit event atomically
 * against the version it was read at. A request with a key is admitted by the Idempotency-Key
 * rule first (idempotency.ts) and holds the key while it runs.
 */

export type Decided =
  | { kind: 'refuse'; decision: TransitionDecision }
  | {
      kind: 'apply';
      next: CheckoutRecord;
      decision: TransitionDecision;
      effects: DueEffect[];
      /** A payment the transition opened, indexed for reconciliation. */
      paymentId?: string;
      /** The one-time values of the mandate authorizing it, and the domain's refusal if spent. */
      spends?: MandateSpends;
    };

export interface MandateSpends {
  values: readonly string[];
  untilMs: number;
  reuse?: MandateReuse;
  /** The domain's decision on the same request once the mandate's use is refused (refusedUse). */
  refusalFor(reason: MandateUseRefusal): TransitionDecision;
}

export interface Operation {
  name: string;
  checkoutId: string;
  /**
   * The request as the caller sent it (body and path or query parameters other than the
   * checkout id, without meta): with the operation, tenant and checkout id, the Idempotency-Key
   * fingerprint.
   */
  input: unknown;
  /** The checkout event, checked by the domain's transition table first. */
  event?: CheckoutEvent;
  expectedVersion?: number;
  idempotencyKey?: string;
  /** Creates the checkout: there is no current one. */
  creates?: boolean;
  /** A refusal is the key's answer too (RequestMeta.keepRefusals). @defaultValue true */
  keepRefusals?: boolean | undefined;
}

export interface TransactionDeps {
  store: CheckoutStore;
  idempotency: IdempotencyStore;
  nowMs: () => number;
  idempotencyTtlSeconds: number;
  /** How long a running request holds its key at most (a crashed one blocks it no longer). */
  idempotencyClaimTtlMs: number;
}

/** The key and fingerprint of a request that holds its Idempotency-Key. */
interface HeldKey {
  key: string;
  fingerprint: string;
}

/** Re-reads after a lost race at most this often before answering 409. */
const MAX_RACES = 8;

function replayOf(answer: string): TransitionResult {
  return { ...(JSON.parse(answer) as TransitionAnswer), replayed: true };
}

function answerOf(result: TransitionResult): string {
  const { replayed: _replayed, ...answer } = result;
  return JSON.stringify(answer satisfies TransitionAnswer);
}

export async function transact(
  deps: TransactionDeps,
  operation: Operation,
  decide: (current: CheckoutRecord | undefined, nowMs: number) => Promise<Decided>,
): Promise<TransitionResult> {
  const key = operation.idempotencyKey;
  if (key === undefined) return decideAndCommit(deps, operation, decide, undefined);
  const fingerprint = requestFingerprint({
    tenant: deps.store.tenant,
    operation: operation.name,
    // A create's checkout id is generated here: a retried create must match the first one.
    checkoutId: operation.creates ? undefined : operation.checkoutId,
    input: operation.input,
  });
  const admission = await admit(deps.idempotency, key, fingerprint, deps.idempotencyClaimTtlMs);
  if (admission.kind === 'replay') return replayOf(admission.answer);
  try {
    return await decideAndCommit(deps, operation, decide, { key, fingerprint });
  } finally {
    await admission.release().catch(() => {
      // Not released (Redis gone?): the claim expires on its own after the claim TTL.
    });
  }
}

async function decideAndCommit(
  deps: TransactionDeps,
  operation: Operation,
  decide: (current: CheckoutRecord | undefined, nowMs: number) => Promise<Decided>,
  held: HeldKey | undefined,
): Promise<TransitionResult> {
  const { store } = deps;
  for (let race = 0; race < MAX_RACES; race++) {
    const nowMs = deps.nowMs();
    const loaded = operation.creates ? undefined : await store.load(operation.checkoutId);
    if (!operation.creates && loaded === undefined) {
      throw new AppError('NOT_FOUND', [`checkout ${operation.checkoutId}`]);
    }
    const current = loaded === undefined ? undefined : (JSON.parse(loaded.doc) as CheckoutRecord);
    const action = operation.event ?? operation.name;

    if (current !== undefined) {
      const admission = admitRequest(
        current,
        { action, event: operation.event, expectedVersion: operation.expectedVersion },
        nowMs,
      );
      if (!admission.ok) {
        const refused: TransitionResult = {
          outcome: 'refused',
          checkout: current,
          decision: admission.decision,
          replayed: false,
        };
        // A stale version is a race to report, not an answer to keep for the key.
        return admission.race ? refused : remember(deps, operation, held, refused);
      }
    }

    const decided = await decide(current, nowMs);
    if (decided.kind === 'refuse') {
      const result: TransitionResult = {
        outcome: 'refused',
        checkout: current ?? null,
        decision: decided.decision,
        replayed: false,
      };
      return remember(deps, operation, held, result);
    }

    const next: CheckoutRecord = {
      ...decided.next,
      version: (current?.version ?? 0) + 1,
      updatedAt: toInstant(nowMs),
    };
    const result: TransitionResult = {
      outcome: 'applied',
      checkout: next,
      decision: decided.decision,
      replayed: false,
    };
    const committed = await store.commit({
      checkoutId: operation.checkoutId,
      expectedVersion: current?.version ?? 0,
      doc: JSON.stringify(next),
      idempotency:
        held === undefined
          ? undefined
          : { ...held, answer: answerOf(result), ttlSeconds: deps.idempotencyTtlSeconds },
      effects: decided.effects,
      paymentId: decided.paymentId,
      ...(decided.spends === undefined
        ? {}
        : {
            spends: {
              values: decided.spends.values,
              untilMs: decided.spends.untilMs,
              nowMs,
              ...(decided.spends.reuse === undefined ? {} : { reuse: decided.spends.reuse }),
            },
          }),
      audit: {
        type: 'checkout.transition',
        checkoutId: operation.checkoutId,
        operation: operation.name,
        from: current?.state ?? null,
        to: next.state,
        version: next.version,
        effects: decided.effects.map(({ effect }) => effect.id),
        evidenceRefs: decided.decision.evidenceRefs,
        at: toInstant(nowMs),
      },
    });
    switch (committed.kind) {
      case 'ok':
        return result;
      // Another request with this key committed first (only after this one's claim expired).
      case 'replay':
        return replayOf(committed.answer);
      case 'idempotency_conflict':
        throw new AppError('IDEMPOTENCY_CONFLICT', [held?.key ?? '']);
      // The mandate's use is refused (spent, or its budget or recurrence exhausted): the
      // domain's decision on it, kept for the key.
      case 'use_refused':
        return remember(deps, operation, held, {
          outcome: 'refused',
          checkout: current ?? null,
          decision: decided.spends?.refusalFor(committed.reason) ?? decided.decision,
          replayed: false,
        });
      case 'version_conflict':
        if (operation.expectedVersion !== undefined || operation.creates) {
          const decision = versionConflict(
            action,
            operation.expectedVersion ?? 0,
            committed.currentVersion,
            nowMs,
          );
          return { outcome: 'refused', checkout: current ?? null, decision, replayed: false };
        }
      // Without an expected version the caller asked for "the current cart": decide again on it.
    }
  }
  throw new AppError('CONFLICT', [`checkout ${operation.checkoutId} is changing too fast; retry`]);
}

async function remember(
  deps: TransactionDeps,
  operation: Operation,
  held: HeldKey | undefined,
  result: TransitionResult,
): Promise<TransitionResult> {
  // Not kept: the key is released with no answer, and the same request runs again when sent.
  if (held === undefined || operation.keepRefusals === false) return result;
  const earlier = await deps.idempotency.remember(
    held.key,
    held.fingerprint,
    answerOf(result),
    deps.idempotencyTtlSeconds,
  );
  if (earlier === undefined) return result;
  if (earlier.fingerprint !== held.fingerprint) {
    throw new AppError('IDEMPOTENCY_CONFLICT', [held.key]);
  }
  return replayOf(earlier.answer);
}
