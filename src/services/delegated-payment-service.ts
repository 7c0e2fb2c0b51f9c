import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import {
  type DelegationOutcome,
  type DelegationRequest,
  decideDelegation,
  isAllowed,
  type Mandate,
  type RiskAssessment,
  toInstant,
} from '../domain/index.js';
import type { RedisClient } from '../store/redis.js';
import {
  type StoredAllowance,
  type VaultTokenRecord,
  VaultTokenStore,
} from '../store/vault-token-store.js';

/**
 * Delegated payment tokens: the domain judges the mandate and the instrument (delegation
 * checks); an allowed one is stored for the tenant as a vault token that lives until it may no
 * longer be relied on (the allowance's expiry, or the instrument's if sooner). A checkout
 * completes with the token's id, looked up per tenant.
 */

export interface DelegationInput {
  /** The token's id, from `newTokenId()`: the mandate is named by it in evidence. */
  tokenId: string;
  mandate: Mandate;
  /** The allowance as accepted, kept with the token. */
  allowance: StoredAllowance;
  /** What may be shown about the instrument; never its number or security code. */
  instrument: VaultTokenRecord['instrument'];
  instrumentExpiry?: DelegationRequest['instrumentExpiry'];
  risk: readonly RiskAssessment[];
  metadata: Record<string, string>;
}

export type DelegationResult =
  | { kind: 'created'; token: VaultTokenRecord; validUntilMs: number }
  | { kind: 'refused'; outcome: DelegationOutcome };

export interface DelegatedPaymentDeps {
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  /** How far ahead an allowance may expire. */
  maxLifetimeMs: number;
}

export class DelegatedPaymentService {
  constructor(private readonly deps: DelegatedPaymentDeps) {}

  /** A fresh vault token id, `vt_` and 32 hex digits. */
  newTokenId(): string {
    return `vt_${randomUUID().replaceAll('-', '')}`;
  }

  async delegate(tenant: string, input: DelegationInput): Promise<DelegationResult> {
    const nowMs = this.deps.clock.nowMs();
    const request: DelegationRequest = {
      mandate: input.mandate,
      risk: input.risk,
      nowMs,
      maxLifetimeMs: this.deps.maxLifetimeMs,
    };
    if (input.instrumentExpiry !== undefined) request.instrumentExpiry = input.instrumentExpiry;
    const outcome = decideDelegation(request);
    if (!isAllowed(outcome) || outcome.validUntilMs === null) {
      return { kind: 'refused', outcome };
    }
    const token: VaultTokenRecord = {
      id: input.tokenId,
      allowance: input.allowance,
      instrument: input.instrument,
      // No card vault stands behind this service: the provider is handed the token id itself,
      // and the card number is dropped once checked (see the README's delegated payment notes).
      providerRef: input.tokenId,
      createdAt: toInstant(nowMs),
      metadata: input.metadata,
    };
    await this.storeOf(tenant).save(token, (outcome.validUntilMs - nowMs) / 1000);
    return { kind: 'created', token, validUntilMs: outcome.validUntilMs };
  }

  /** The tenant's token, or undefined (unknown, expired, or another tenant's). */
  token(tenant: string, id: string): Promise<VaultTokenRecord | undefined> {
    return this.storeOf(tenant).load(id);
  }

  private storeOf(tenant: string): VaultTokenStore {
    return new VaultTokenStore(this.deps.redis, this.deps.prefix, tenant);
  }
}
