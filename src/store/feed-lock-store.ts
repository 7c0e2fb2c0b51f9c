import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { tenantKeys } from './keys.js';

const RELEASE_LOCK = readFileSync(new URL('./lua/release-lock-1.lua', import.meta.url), 'utf8');

interface LockCommands {
  acwReleaseLock(key: string, token: string): Promise<number>;
}

/**
 * One publish of a given feed at a time across every process: two concurrent publishes could
 * swap manifests out of order. The lock expires, so a crashed holder blocks no one for long.
 */
export class FeedLockStore {
  private readonly redis: Redis & LockCommands;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    const commands = redis as Redis & Partial<LockCommands>;
    if (commands.acwReleaseLock === undefined)
      redis.defineCommand('acwReleaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
    this.redis = commands as Redis & LockCommands;
  }

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
      await this.redis.acwReleaseLock(key, token);
    }
  }
}
