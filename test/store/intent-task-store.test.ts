import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntentTask } from '../../src/domain/index.js';
import { IntentTaskStore } from '../../src/store/intent-task-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const RETENTION_SECONDS = 3_600;

function task(id: string, overrides: Partial<IntentTask> = {}): IntentTask {
  return {
    id,
    contextId: 'ctx-1',
    tenant: 'acme',
    version: 0,
    state: 'submitted',
    createdAt: '2026-06-28T09:00:00.000Z',
    updatedAt: '2026-06-28T09:00:00.000Z',
    requestHash: 'h',
    jobId: `acme-${id}`,
    message: { messageId: 'm', parts: [{ type: 'text', text: 'hi' }] },
    intent: {
      action: 'discover',
      productId: 'P',
      context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
      actor: { actorId: 'a', actorType: 'agent' },
      requestedAt: '2026-06-28T09:00:00.000Z',
    },
    answer: 'decision',
    ...overrides,
  };
}

describe('IntentTaskStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let store: IntentTaskStore;
  const nowMs = Date.parse('2026-06-28T09:00:00.000Z');

  beforeAll(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix('tasks');
    store = new IntentTaskStore(redis, prefix, RETENTION_SECONDS);
  });
  afterAll(async () => {
    await redis.quit();
  });

  describe('createIfAbsent', () => {
    it('creates exactly one task when fifty writers race for one id', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.createIfAbsent(task('race', { requestHash: `writer-${i}` })),
        ),
      );
      const created = results.filter((result) => result.created);
      expect(created).toHaveLength(1);
      const winner = created[0]?.task.requestHash;
      expect(results.every((result) => result.task.requestHash === winner)).toBe(true);
    });

    it('keeps the task for the retention window only', async () => {
      await store.createIfAbsent(task('ttl'));
      const ttl = await redis.ttl(`${prefix}:{acme}:intent-task:ttl`);
      expect(ttl).toBeGreaterThan(RETENTION_SECONDS - 10);
      expect(ttl).toBeLessThanOrEqual(RETENTION_SECONDS);
    });

    it('keeps tenants apart: another tenant reads nothing under the same id', async () => {
      await store.createIfAbsent(task('mine'));
      expect(await store.get('other', 'mine')).toBeUndefined();
      expect((await store.get('acme', 'mine'))?.id).toBe('mine');
    });
  });

  describe('update', () => {
    it('loses no write when twenty writers change one task at once', async () => {
      await store.createIfAbsent(task('cas'));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.update('acme', 'cas', (current) => ({
            ...current,
            requestHash: `${current.requestHash}+${i}`,
          })),
        ),
      );
      const final = await store.get('acme', 'cas');
      expect(final?.version).toBe(20);
      expect(final?.requestHash?.split('+')).toHaveLength(21);
    });

    it('leaves the task alone when the change declines, and keeps its TTL on writes', async () => {
      await store.createIfAbsent(task('keep'));
      const same = await store.update('acme', 'keep', () => undefined);
      expect(same?.version).toBe(0);
      await store.update('acme', 'keep', (current) => ({ ...current, state: 'working' }));
      expect(await redis.ttl(`${prefix}:{acme}:intent-task:keep`)).toBeGreaterThan(0);
    });

    it('answers undefined for a task that does not exist', async () => {
      expect(await store.update('acme', 'missing', (current) => current)).toBeUndefined();
    });
  });

  describe('list', () => {
    it('pages newest first and filters by context and state', async () => {
      const listPrefix = uniquePrefix('list');
      const listing = new IntentTaskStore(redis, listPrefix, RETENTION_SECONDS);
      for (let i = 0; i < 5; i++) {
        const at = new Date(nowMs + i * 1000).toISOString();
        await listing.createIfAbsent(
          task(`t${i}`, {
            createdAt: at,
            updatedAt: at,
            contextId: i % 2 === 0 ? 'even' : 'odd',
            state: i === 4 ? 'completed' : 'submitted',
          }),
        );
      }
      const first = await listing.list('acme', { limit: 2 }, nowMs + 10_000);
      expect(first.tasks.map((t) => t.id)).toEqual(['t4', 't3']);
      expect(first).toMatchObject({ total: 5, next: { id: 't3' } });
      // A task created between pages neither repeats a listed task nor shifts the next page.
      const late = new Date(nowMs + 9_000).toISOString();
      await listing.createIfAbsent(task('t9', { createdAt: late, updatedAt: late }));
      const second = await listing.list('acme', { limit: 2, after: first.next }, nowMs + 10_000);
      expect(second.tasks.map((t) => t.id)).toEqual(['t2', 't1']);
      const even = await listing.list('acme', { contextId: 'even', limit: 10 }, nowMs);
      expect(even.tasks.map((t) => t.id)).toEqual(['t4', 't2', 't0']);
      const done = await listing.list('acme', { state: 'completed', limit: 10 }, nowMs);
      expect(done.tasks.map((t) => t.id)).toEqual(['t4']);
    });
  });
});
