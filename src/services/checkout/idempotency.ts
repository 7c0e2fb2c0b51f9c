import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { IdempotencyStore } from '../../store/idempotency-store.js';

/**
 * The one Idempotency-Key rule of every checkout mutation (ACP 2026-04-17: `Idempotent-Replayed`,
 * `IdempotencyConflict`, `IdempotencyInFlight`), whoever calls it (HTTP routes, A2A intents):
 *
 * | the key…                           | same request                        | another request      |
 * |------------------------------------|-------------------------------------|----------------------|
 * | has an answer                      | that answer again, replayed         | IDEMPOTENCY_CONFLICT |
 * | is held by a request still running | IDEMPOTENCY_IN_FLIGHT + Retry-After | IDEMPOTENCY_CONFLICT |
 * | is free                            | runs, holding the key               | (no other yet)       |
 *
 * An answer is an applied transition or a refused decision, written with the transition
 * (transaction.ts). A thrown error (404, a fault) or a stale expected version (a race to report)
 * is no answer: the key is released and the same request may be sent again. Nor is a refusal
 * under a key derived from the request itself (`RequestMeta.keepRefusals: false`, MCP calls
 * without a key), which must not keep refusing once the facts changed. Keys live under the
 * tenant's keys, so two tenants sending the same key make two independent requests.
 */

/** What the caller sent, and only that: nothing we generate (a new checkout's id) is in it. */
export interface SentRequest {
  tenant: string;
  /** The operation, one per route (`create`, `add_item`, `payment_refund`, …). */
  operation: string;
  /** The checkout named in the path; absent for a create. */
  checkoutId?: string;
  /** The body as validated (with any other path or query parameters the operation takes). */
  input: unknown;
}

/** A request still running is expected to finish within milliseconds; ask to retry soon. */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

export function requestFingerprint(sent: SentRequest): string {
  return createHash('sha256').update(canonicalJson(sent)).digest('hex');
}

export type Admission =
  | { kind: 'replay'; answer: string }
  | { kind: 'run'; release: () => Promise<void> };

/** Decides what a request with this key and fingerprint may do; see the table above. */
export async function admit(
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  claimTtlMs: number,
): Promise<Admission> {
  const claim = await store.claim(key, fingerprint, randomUUID(), claimTtlMs);
  if (claim.kind === 'claimed') return { kind: 'run', release: claim.release };
  if (claim.fingerprint !== fingerprint) throw new AppError('IDEMPOTENCY_CONFLICT', [key]);
  if (claim.kind === 'answered') return { kind: 'replay', answer: claim.answer };
  throw new AppError('IDEMPOTENCY_IN_FLIGHT', [key], undefined, {
    retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS,
  });
}
