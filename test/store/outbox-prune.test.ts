import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneOutboxes } from '../../src/services/outbox/prune.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { commitEffects } from '../helpers/outbox-fixtures.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const TENANT = 'acme';
const HOUR_MS = 3_600_000;
const prefix = uniquePrefix('prune');
let redis: Redis;
let outbox: OutboxStore;

/** Commits effects, then settles each with its status at its settle time. */
async function settled(entries: { id: string; status: 'delivered' | 'dead'; atMs: number }[]) {
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
}

beforeAll(() => {
  redis = connectTestRedis();
  outbox = new OutboxStore(redis, prefix, TENANT);
});
afterAll(async () => {
  await redis.quit();
});

describe('outbox retention', () => {
  const nowMs = 1_000 * HOUR_MS;

  it('forgets delivered effects past retention, keeps recent ones and every dead letter', async () => {
    await settled([
      { id: 'old-1', status: 'delivered', atMs: nowMs - 10 * HOUR_MS },
      { id: 'old-2', status: 'delivered', atMs: nowMs - 9 * HOUR_MS },
      { id: 'old-dead', status: 'dead', atMs: nowMs - 10 * HOUR_MS },
      { id: 'recent', status: 'delivered', atMs: nowMs - HOUR_MS },
    ]);

    // chunk 1: the service loops until a pass considers fewer than a chunk.
    const result = await pruneOutboxes({
      redis,
      prefix,
      nowMs: () => nowMs,
      retentionMs: 5 * HOUR_MS,
      chunk: 1,
    });
    expect(result).toEqual({ tenants: 1, forgotten: 2 });

    expect(await outbox.view('old-1')).toBeUndefined();
    expect(await outbox.view('old-2')).toBeUndefined();
    expect((await outbox.view('recent'))?.status).toBe('delivered');
    expect((await outbox.view('old-dead'))?.status).toBe('dead');
    expect((await outbox.listDead(10)).total).toBe(1);
    expect(await outbox.countByStatus()).toEqual({ pending: 0, delivered: 1, dead: 1 });
  });

  it('does nothing more on a second pass', async () => {
    const again = await pruneOutboxes({
      redis,
      prefix,
      nowMs: () => nowMs,
      retentionMs: 5 * HOUR_MS,
      chunk: 100,
    });
    expect(again.forgotten).toBe(0);
    expect((await outbox.view('old-dead'))?.status).toBe('dead');
  });
});
