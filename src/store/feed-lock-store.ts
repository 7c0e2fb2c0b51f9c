import { randomUUID } from 'node:crypto';
import { tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';

/**
 * One publish of a given feed at a time across every process: two concurrent publishes could
 * swap manifests out of order. The lock expires, so a crashed holder blocks no one for long.
 */
export class FeedLockStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Runs `work` holding the lock, or returns `{ busy: true }` without running it. */
  async withLock<T>(
    tenant: string,
    feed: string,
    ttlMs: number,
    work: () => Promise<T>,
  ): Promise<{ busy: true } | { busy: false; value: T }> {
    const key = tenantKeys(this.prefix, tenant)('feeds', feed, 'publish-lock');
    const token = randomUUID();
    const taken = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    if (taken === null) return { busy: true };
    try {
      return { busy: false, value: await work() };
    } finally {
      await runScript(this.redis, 'release-lock-1', [key], [token]);
    }
  }
}
