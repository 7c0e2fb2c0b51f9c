import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoalescingRedis } from '../../src/store/coalescing-redis.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/store/private-redis.js';
import { connectRedis, waitUntilReady } from '../../src/store/redis.js';
import { uniquePrefix } from '../helpers/redis.js';

/** Counts the socket's writes from here on: one per write(v) system call node makes. */
function countWrites(socket: Socket): { writes: () => number } {
  let writes = 0;
  const target = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  for (const method of ['_write', '_writev'] as const) {
    const original = target[method].bind(socket);
    target[method] = (...args: unknown[]) => {
      writes += 1;
      original(...args);
    };
  }
  return { writes: () => writes };
}

describe('a request-path Redis connection to one node', () => {
  // Its own server: coalescing is a single-node connection's, also when the run's Redis is a cluster.
  let server: PrivateRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startPrivateRedis({ persistence: 'none' });
    redis = connectRedis(server.url, 'producer') as Redis;
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });

  it('is the coalescing kind; a store connection is not', async () => {
    const store = connectRedis(server.url, 'store');
    expect(redis).toBeInstanceOf(CoalescingRedis);
    expect(store).not.toBeInstanceOf(CoalescingRedis);
    await store.quit();
  });

  it('sends the commands of one event-loop turn in one write, answered in order', async () => {
    await waitUntilReady(redis);
    const key = `${uniquePrefix('coalesce')}:n`;
    const counted = countWrites(redis.stream as Socket);
    const replies = await Promise.all(Array.from({ length: 50 }, () => redis.incr(key)));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(counted.writes()).toBe(1);
    await redis.del(key);
  });

  it('answers a lone command without waiting for company', async () => {
    await waitUntilReady(redis);
    expect(await redis.ping()).toBe('PONG');
  });

  it('goes on after its connection is lost and made again', async () => {
    await waitUntilReady(redis);
    const key = `${uniquePrefix('coalesce')}:after-reconnect`;
    await redis.set(key, 'before');
    redis.disconnect(true);
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    expect(await Promise.all([redis.get(key), redis.set(key, 'after'), redis.get(key)])).toEqual([
      'before',
      'OK',
      'after',
    ]);
    await redis.del(key);
  });
});
