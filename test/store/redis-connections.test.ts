import { describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../../src/store/private-redis.js';
import { connectRedis } from '../../src/store/redis.js';

describe('the producer connection', () => {
  it('holds commands sent before its first connection is ready, then fails fast once Redis is gone', async () => {
    const server = await startPrivateRedis({ persistence: 'none' });
    const producer = connectRedis(server.url, 'producer');
    producer.on('error', () => {});
    try {
      // Sent at once, before the connection is ready: it waits instead of failing.
      await expect(producer.ping()).resolves.toBe('PONG');
      await server.stop();
      const started = Date.now();
      await expect(producer.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      producer.disconnect();
      await server.stop();
    }
  });
});
