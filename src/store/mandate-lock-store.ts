import { tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/** How long a session stays locked into mandates: longer than any checkout is left open. */
const LOCKED_FOR_SECONDS = 30 * 24 * 3600;

/**
 * Checkouts opened under UCP's AP2 mandates extension, which "security locks" them: neither
 * party may go back to an unprotected checkout, so a later request that does not negotiate the
 * extension still cannot complete one without mandates. A marker key per checkout.
 */
export class MandateLockStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private keyOf(tenant: string, checkoutId: string): string {
    return tenantKeys(this.prefix, tenant)('mandate-locked', checkoutId);
  }

  async lock(tenant: string, checkoutId: string): Promise<void> {
    await this.redis.set(this.keyOf(tenant, checkoutId), '1', 'EX', LOCKED_FOR_SECONDS);
  }

  async isLocked(tenant: string, checkoutId: string): Promise<boolean> {
    return (await this.redis.exists(this.keyOf(tenant, checkoutId))) === 1;
  }
}
