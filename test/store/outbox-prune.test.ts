import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneOutboxes } from '../../src/services/outbox/prune.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { commitEffects } from '../helpers/outbox-fixtures.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const TENANT = 'acme';
const HOUR_MS = 3_600_000;
const NOW_MS = 1_000 * HOUR_MS;
let redis: RedisClient;

/**
 * A fresh prefix per test (pruning walks every tenant under it), with old and recent delivered
 * effects and an old dead letter, each settled at its time.
 */
async function settledOutbox() {
  const prefix = uniquePrefix('prune');
  const outbox = new OutboxStore(redis, prefix, TENANT);
  const entries = [
    { id: 'old-1', status: 'delivered', atMs: NOW_MS - 10 * HOUR_MS },
    { id: 'old-2', status: 'delivered', atMs: NOW_MS - 9 * HOUR_MS },
    { id: 'old-dead', status: 'dead', atMs: NOW_MS - 10 * HOUR_MS },
    { id: 'recent', status: 'delivered', atMs: NOW_MS - HOUR_MS },
  ] as const;
  await commitEffects(
    redis,
    prefix,
    TENANT,
    entries.map(({ id }) => id),
  );
  await outbox.registerTenant();
  for (const { id, status, atMs } of entries) {
    const record = {
      at: new Date(atMs).toISOString(),
      result: status === 'delivered' ? 'delivered' : 'permanent',
    } as const;
    await outbox.settlePlain(
      [
        {
          effectId: id,
          outcome: status,
          record,
          audit: { type: `effect.${status}`, effectId: id },
        },
      ],
      atMs,
    );
  }
  return { prefix, outbox };
}

/** One pruning pass under `prefix` at NOW_MS, retention 5 h. */
function prune(prefix: string, chunk: number) {
  return pruneOutboxes({ redis, prefix, nowMs: () => NOW_MS, retentionMs: 5 * HOUR_MS, chunk });
}

beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await redis.quit();
});

describe('outbox retention', () => {
  it('forgets delivered effects past retention, keeps recent ones and every dead letter', async () => {
    const { prefix, outbox } = await settledOutbox();
    // chunk 1: the service loops until a pass considers fewer than a chunk.
    const result = await prune(prefix, 1);
    expect(result).toEqual({ tenants: 1, forgotten: 2 });

    expect(await outbox.view('old-1')).toBeUndefined();
    expect(await outbox.view('old-2')).toBeUndefined();
    expect((await outbox.view('recent'))?.status).toBe('delivered');
    expect((await outbox.view('old-dead'))?.status).toBe('dead');
    expect((await outbox.listDead(10)).total).toBe(1);
    expect(await outbox.countByStatus()).toEqual({
      pending: 0,
      delivered: 1,
      dead: 1,
      superseded: 0,
    });
  });

  it('does nothing more on a second pass', async () => {
    const { prefix, outbox } = await settledOutbox();
    expect((await prune(prefix, 100)).forgotten).toBe(2);
    const again = await prune(prefix, 100);
    expect(again.forgotten).toBe(0);
    expect((await outbox.view('old-dead'))?.status).toBe('dead');
  });
});
