import { type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';

/**
 * The Idempotency-Key records of one tenant, in one namespace: `idem` for the checkout service's
 * own keys, another for a layer that keeps whole HTTP answers (ACP's, `acp-idem`). Both keys
 * are tenant keys, so the same Idempotency-Key sent by two tenants names two independent records.
 *
 * - `<namespace>:<key>` the answer: "<64-hex fingerprint>|<answer>", kept for the record TTL.
 *   A checkout transition writes it inside its commit (checkout-commit-9.lua), anything else
 *   through `remember`.
 * - `<namespace>-claim:<key>` the in-flight claim: "<64-hex fingerprint>|<token>". It expires, so
 *   a request that crashed while holding it blocks its key for at most the claim TTL.
 */

const FINGERPRINT_CHARS = 64;

export interface StoredAnswer {
  fingerprint: string;
  answer: string;
}

export type ClaimOutcome =
  | { kind: 'claimed'; release: () => Promise<void> }
  | ({ kind: 'answered' } & StoredAnswer)
  | { kind: 'in_flight'; fingerprint: string; remainingMs: number };

/** The checkout service's namespace, which its commit script writes answers into. */
const CHECKOUT_NAMESPACE = 'idem';

/** `idem:<key>`, for the commit script that writes the answer with the transition. */
export function idempotencyRecordKey(
  key: TenantKey,
  idempotencyKey: string,
  namespace = CHECKOUT_NAMESPACE,
): string {
  return key(namespace, idempotencyKey);
}

function parseRecord(stored: string): StoredAnswer {
  return {
    fingerprint: stored.slice(0, FINGERPRINT_CHARS),
    answer: stored.slice(FINGERPRINT_CHARS + 1),
  };
}

export class IdempotencyStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    tenant: string,
    private readonly namespace = CHECKOUT_NAMESPACE,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  recordKey(idempotencyKey: string): string {
    return idempotencyRecordKey(this.key, idempotencyKey, this.namespace);
  }

  claimKey(idempotencyKey: string): string {
    return this.key(`${this.namespace}-claim`, idempotencyKey);
  }

  async read(idempotencyKey: string): Promise<StoredAnswer | undefined> {
    const stored = await this.redis.get(this.recordKey(idempotencyKey));
    return stored === null ? undefined : parseRecord(stored);
  }

  /**
   * Takes the key for one request unless it already has an answer or another request holds it.
   * `release` gives the claim back (only if it is still this request's: it may have expired and
   * been taken by a retry meanwhile).
   */
  async claim(
    idempotencyKey: string,
    fingerprint: string,
    token: string,
    ttlMs: number,
  ): Promise<ClaimOutcome> {
    const claimKey = this.claimKey(idempotencyKey);
    const value = `${fingerprint}|${token}`;
    const reply = (await runScript(
      this.redis,
      'idempotency-claim-2',
      [this.recordKey(idempotencyKey), claimKey],
      [fingerprint, token, ttlMs],
    )) as (string | number)[];
    switch (reply[0]) {
      case 'claimed':
        return {
          kind: 'claimed',
          release: async () => {
            await runScript(this.redis, 'release-lock-1', [claimKey], [value]);
          },
        };
      case 'answered':
        return { kind: 'answered', ...parseRecord(String(reply[1])) };
      default:
        return {
          kind: 'in_flight',
          fingerprint: String(reply[1]).slice(0, FINGERPRINT_CHARS),
          remainingMs: Number(reply[2]),
        };
    }
  }

  /**
   * Keeps an answer (a refusal, an HTTP response) as the key's, so the same request replays it.
   * NX: if the key was answered meanwhile (only after this request's claim expired), the
   * earlier answer stands and is returned.
   */
  async remember(
    idempotencyKey: string,
    fingerprint: string,
    answer: string,
    ttlSeconds: number,
  ): Promise<StoredAnswer | undefined> {
    const written = await this.redis.set(
      this.recordKey(idempotencyKey),
      `${fingerprint}|${answer}`,
      'EX',
      ttlSeconds,
      'NX',
    );
    return written === 'OK' ? undefined : this.read(idempotencyKey);
  }
}
