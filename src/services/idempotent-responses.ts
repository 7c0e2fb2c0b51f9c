import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../domain/index.js';
import { IdempotencyStore } from '../store/idempotency-store.js';
import type { RedisClient } from '../store/redis.js';
import { admit, requestFingerprint } from './checkout/idempotency.js';

/**
 * The Idempotency-Key rule of services/checkout/idempotency.ts (same claim, same conflict and
 * in-flight refusals, same store) applied to whole HTTP answers: the first request under a key
 * runs, and the answer it gives is kept for the key, replayed to the same request sent again.
 * What an ingress keeps is its own choice (`settle` with or without a response).
 *
 * A key is the caller's key within a scope (ACP: "Scoped to authenticated identity +
 * endpoint"): the tenant's keys, and within them a hash of the scope and the key, so records
 * have a bounded name whatever the caller sends.
 */

/** An answer as it is replayed: status, the headers worth keeping and the body as sent. */
export const StoredResponseSchema = z.object({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  /** When it was first answered (for operators reading the record). */
  storedAt: z.string(),
});
export type StoredResponse = z.infer<typeof StoredResponseSchema>;

export interface IdempotentResponsesDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  /** How long an answer is replayed (ACP: at least 24 h). */
  ttlSeconds: number;
  /** How long a running request holds its key at most (a crashed one blocks it no longer). */
  claimTtlMs: number;
  /** The store namespace, one per ingress, so two ingresses' keys never meet. */
  namespace: string;
}

export interface KeyedRequest {
  tenant: string;
  /** Where the key applies: the caller, the endpoint and its path parameters. */
  scope: { callerId: string; endpoint: string; params: unknown };
  key: string;
  /** What the caller sent (body, path and query parameters): the same request or another. */
  sent: unknown;
}

export type ResponseAdmission =
  | { kind: 'replay'; response: StoredResponse }
  | {
      kind: 'run';
      /**
       * Ends the run: keeps `response` as the key's answer when given, then gives the key back.
       * Without a response the key is free again and the same request runs when sent again.
       */
      settle(response?: Omit<StoredResponse, 'storedAt'>): Promise<void>;
    };

export class IdempotentResponses {
  constructor(private readonly deps: IdempotentResponsesDeps) {}

  /**
   * Admits a request under its key: a replay of the key's answer, or a run holding the key.
   * Throws IDEMPOTENCY_CONFLICT (the key answered or is answering another request) or
   * IDEMPOTENCY_IN_FLIGHT (the same request is still running, with `retryAfterSeconds`).
   */
  async admit(request: KeyedRequest): Promise<ResponseAdmission> {
    const { deps } = this;
    const store = new IdempotencyStore(deps.redis, deps.prefix, request.tenant, deps.namespace);
    const key = scopedKey(request);
    const fingerprint = requestFingerprint({
      tenant: request.tenant,
      operation: request.scope.endpoint,
      input: request.sent,
    });
    const admission = await admit(store, key, fingerprint, deps.claimTtlMs);
    if (admission.kind === 'replay') {
      return { kind: 'replay', response: StoredResponseSchema.parse(JSON.parse(admission.answer)) };
    }
    return {
      kind: 'run',
      settle: async (response) => {
        try {
          if (response !== undefined) {
            const stored: StoredResponse = {
              ...response,
              storedAt: new Date(deps.nowMs()).toISOString(),
            };
            // NX inside: an answer another run kept after this one's claim expired stands.
            await store.remember(key, fingerprint, JSON.stringify(stored), deps.ttlSeconds);
          }
        } finally {
          await admission.release();
        }
      },
    };
  }
}

/** The record's name for a key in its scope: 64 hex, whatever the key and parameters hold. */
function scopedKey({ scope, key }: KeyedRequest): string {
  return createHash('sha256')
    .update(canonicalJson({ ...scope, key }))
    .digest('hex');
}
