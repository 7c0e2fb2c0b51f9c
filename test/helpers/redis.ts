import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The URL of the run's Redis, started by test/global-setup.ts or given by REDIS_URL. */
export function testRedisUrl(): string {
  const url = inject('redisUrl');
  if (url === undefined)
    throw new Error(
      'this test needs Redis, but its vitest project has none: the unit project is for pure tests (vitest.config.ts)',
    );
  return url;
}

export function connectTestRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null, lazyConnect: false });
}

/** A prefix no other test file uses, so files can share one Redis without stepping on each other. */
export function uniquePrefix(name = 'test'): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}
