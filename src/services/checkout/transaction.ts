import { createHash } from 'node:crypto';
import {
  type Blocker,
  blocker,
  type CheckoutEvent,
  canonicalJson,
  toInstant,
  transitionVersioned,
} from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { CheckoutStore } from '../../store/checkout-store.js';
import type { DueEffect } from '../../store/outbox-store.js';
import type { CheckoutRecord, TransitionDecision, TransitionResult } from './checkout-record.js';

/**
 * The one way a checkout changes: read it, let the domain decide, and commit the new document,
 * its version, its outbox effects, its idempotency record and its audit event atomically against
 * the version it was read at. ACP Idempotency-Key semantics: the same key and request replay the
 * stored answer; the same key with another request is IDEMPOTENCY_CONFLICT.
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
    };

export interface Operation {
  name: string;
  checkoutId: string;
  /** The request as the caller sent it (without meta), for the idempotency fingerprint. */
  input: unknown;
  /** The checkout event, checked by the domain's transition table first. */
  event?: CheckoutEvent;
  expectedVersion?: number;
  idempotencyKey?: string;
  /** Creates the checkout: there is no current one. */
  creates?: boolean;
}

export interface TransactionDeps {
  store: CheckoutStore;
  nowMs: () => number;
  idempotencyTtlSeconds: number;
}

/** Re-reads after a lost race at most this often before answering 409. */
const MAX_RACES = 8;

export function refusal(action: string, blockers: Blocker[], nowMs: number): TransitionDecision {
  return { action, result: 'blocked', blockers, evidenceRefs: [], evaluatedAt: toInstant(nowMs) };
}

function requestHash(operation: Operation): string {
  const fingerprint = canonicalJson({
    operation: operation.name,
    checkoutId: operation.checkoutId,
    input: operation.input,
  });
  return createHash('sha256').update(fingerprint).digest('hex');
}

function replayOf(stored: string): TransitionResult {
  return { ...(JSON.parse(stored) as TransitionResult), replayed: true };
}

export async function transact(
  deps: TransactionDeps,
  operation: Operation,
  decide: (current: CheckoutRecord | undefined, nowMs: number) => Promise<Decided>,
): Promise<TransitionResult> {
  const { store } = deps;
  const key = operation.idempotencyKey;
  const hash = requestHash(operation);

  for (let race = 0; race < MAX_RACES; race++) {
    if (key !== undefined) {
      const stored = await store.readIdempotency(key);
      if (stored !== undefined) {
        if (stored.requestHash !== hash) throw new AppError('IDEMPOTENCY_CONFLICT', [key]);
        return replayOf(stored.result);
      }
    }
    const nowMs = deps.nowMs();
    const loaded = operation.creates ? undefined : await store.load(operation.checkoutId);
    if (!operation.creates && loaded === undefined) {
      throw new AppError('NOT_FOUND', [`checkout ${operation.checkoutId}`]);
    }
    const current = loaded === undefined ? undefined : (JSON.parse(loaded.doc) as CheckoutRecord);
    const action = operation.event ?? operation.name;

    if (current !== undefined) {
      const checked =
        operation.event === undefined
          ? operation.expectedVersion !== undefined && operation.expectedVersion !== current.version
            ? ({
                ok: false,
                code: 'CART_VERSION_CONFLICT',
                expectedVersion: operation.expectedVersion,
                currentVersion: current.version,
              } as const)
            : ({ ok: true } as const)
          : transitionVersioned(current, operation.event, operation.expectedVersion);
      if (!checked.ok && checked.code === 'CART_VERSION_CONFLICT') {
        // A stale version is a race to report, not an answer to keep for the key.
        const { expectedVersion, currentVersion } = checked;
        const decision = refusal(
          action,
          [blocker('CART_VERSION_CONFLICT', { expectedVersion, currentVersion })],
          nowMs,
        );
        return { outcome: 'refused', checkout: current, decision, replayed: false };
      }
      if (!checked.ok) {
        const decision = refusal(
          action,
          [
            blocker('ILLEGAL_TRANSITION', {
              from: checked.from,
              event: checked.event,
              allowed: checked.allowed.join(', ') || 'none',
            }),
          ],
          nowMs,
        );
        return remember(deps, key, hash, {
          outcome: 'refused',
          checkout: current,
          decision,
          replayed: false,
        });
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
      return remember(deps, key, hash, result);
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
    const resultJson = JSON.stringify(result);
    const committed = await store.commit({
      checkoutId: operation.checkoutId,
      expectedVersion: current?.version ?? 0,
      doc: JSON.stringify(next),
      idempotency:
        key === undefined
          ? undefined
          : { key, requestHash: hash, result: resultJson, ttlSeconds: deps.idempotencyTtlSeconds },
      effects: decided.effects,
      paymentId: decided.paymentId,
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
      case 'replay':
        return replayOf(committed.result);
      case 'idempotency_conflict':
        throw new AppError('IDEMPOTENCY_CONFLICT', [key ?? '']);
      case 'version_conflict':
        if (operation.expectedVersion !== undefined || operation.creates) {
          const decision = refusal(
            action,
            [
              blocker('CART_VERSION_CONFLICT', {
                expectedVersion: operation.expectedVersion ?? 0,
                currentVersion: committed.currentVersion,
              }),
            ],
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
  key: string | undefined,
  hash: string,
  result: TransitionResult,
): Promise<TransitionResult> {
  if (key === undefined) return result;
  const earlier = await deps.store.rememberRefusal(
    key,
    hash,
    JSON.stringify(result),
    deps.idempotencyTtlSeconds,
  );
  if (earlier === undefined) return result;
  if (earlier.requestHash !== hash) throw new AppError('IDEMPOTENCY_CONFLICT', [key]);
  return replayOf(earlier.result);
}
