import { afterAll, describe, expect, it } from 'vitest';
import { connectTestRedis, uniquePrefix } from './helpers/redis.js';

describe('the test Redis', () => {
  const redis = connectTestRedis();
  afterAll(() => redis.quit());

  it('is a real server that keeps what is written', async () => {
    const key = `${uniquePrefix('smoke')}:greeting`;
    await redis.set(key, 'hello', 'EX', 60);
    expect(await redis.get(key)).toBe('hello');
    const info = await redis.info('server');
    expect(info).toMatch(/redis_version:\d+/);
  });

  it('runs Lua atomically, which the stores rely on', async () => {
    const key = `${uniquePrefix('smoke')}:counter`;
    const result = await redis.eval(
      "redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])",
      1,
      key,
      '41',
    );
    expect(result).toBe('41');
  });
});
