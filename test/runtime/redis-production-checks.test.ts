import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { checkRedisSettings } from '../../src/runtime/redis-production-checks.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/store/private-redis.js';

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, sink), lines };
}

describe('checkRedisSettings', () => {
  // Its own server: the check is about settings this test changes.
  let server: PrivateRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startPrivateRedis({ persistence: 'none' });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });

  it('warns loudly when maxmemory-policy is not noeviction and AOF is off', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const { logger, lines } = capturingLogger();
    const report = await checkRedisSettings(redis, logger);
    expect(report.maxmemoryPolicy).toBe('allkeys-lru');
    expect(report.problems).toHaveLength(2);
    expect(lines.join('')).toContain(
      '!!! REDIS SETTING: maxmemory-policy is allkeys-lru, not noeviction',
    );
    expect(lines.join('')).toContain('appendonly is off');
  });

  it('says nothing about eviction when the policy is noeviction', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    const { logger, lines } = capturingLogger();
    const report = await checkRedisSettings(redis, logger);
    expect(report.maxmemoryPolicy).toBe('noeviction');
    expect(report.problems).toEqual([expect.stringContaining('appendonly is off')]);
    expect(lines.join('')).not.toContain('maxmemory-policy');
  });
});
