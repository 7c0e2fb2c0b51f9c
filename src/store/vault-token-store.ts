import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * A delegated payment token (ACP `delegate_payment`): the allowance it was minted under and a
 * summary of the instrument fit to show (brand, last four, expiry) — never the card number or
 * its security code, which stay with the payment provider. Stored per tenant until the
 * allowance expires; a checkout session completes with its id.
 */
/** The ACP allowance as it was accepted (the adapter's `Allowance`; stores import no adapter). */
export interface StoredAllowance {
  reason: 'one_time';
  max_amount: number;
  currency: string;
  checkout_session_id: string;
  merchant_id: string;
  expires_at: string;
}

export interface VaultTokenRecord {
  /** `vt_…`, the id handed to the agent. */
  id: string;
  allowance: StoredAllowance;
  /** What may be shown about the instrument; no PAN, no CVC. */
  instrument: {
    type: string;
    brand?: string;
    last4?: string;
    expMonth?: string;
    expYear?: string;
  };
  /** The payment provider's reference for the instrument, handed to it at payment time. */
  providerRef: string;
  createdAt: string;
  metadata: Record<string, string>;
}

export class VaultTokenStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /** Writes the token to live `ttlSeconds` (the allowance's remaining life); at least 1 s. */
  async save(record: VaultTokenRecord, ttlSeconds: number): Promise<void> {
    await this.redis.set(
      this.key('acp', 'vault', record.id),
      JSON.stringify(record),
      'EX',
      Math.max(1, Math.ceil(ttlSeconds)),
    );
  }

  /** The token of this tenant, or undefined (unknown, expired, or another tenant's). */
  async load(id: string): Promise<VaultTokenRecord | undefined> {
    const stored = await this.redis.get(this.key('acp', 'vault', id));
    return stored === null ? undefined : (JSON.parse(stored) as VaultTokenRecord);
  }
}
