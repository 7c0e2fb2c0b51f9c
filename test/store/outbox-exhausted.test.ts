import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttemptRecord, OutboxStore, type SettleInput } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { commitEffects } from '../helpers/outbox-fixtures.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const TENANT = 'acme';
const prefix = uniquePrefix('outbox-exhausted');
let redis: RedisClient;
let outbox: OutboxStore;

const exhausted: AttemptRecord = { at: '2026-01-01T00:00:00.000Z', result: 'exhausted' };
const delivered: AttemptRecord = { at: '2026-01-01T00:05:00.000Z', result: 'delivered' };

function settle(input: Omit<SettleInput, 'followUps' | 'audit'>) {
  return outbox.settle(
    { ...input, followUps: [], audit: { type: 'test.settle', effectId: input.effectId } },
    outbox.key('checkout', '-'),
  );
}

beforeAll(() => {
  redis = connectTestRedis();
  outbox = new OutboxStore(redis, prefix, TENANT);
});

afterAll(async () => {
  await redis.quit();
});

describe('OutboxStore.settle of an effect whose attempts ran out', () => {
  describe('when the chain retries it later', () => {
    it('keeps it pending, due at the next round, attempts reset, listed as exhausted', async () => {
      await commitEffects(redis, prefix, TENANT, ['ex-retry']);
      await outbox.recordAttempt('ex-retry', { ...exhausted, result: 'transient' }, true);

      const result = await settle({
        effectId: 'ex-retry',
        outcome: 'retry',
        retryAtMs: 90_000,
        record: exhausted,
        nowMs: 1_000,
      });

      expect(result).toEqual({ kind: 'ok', attempts: 2 });
      const view = await outbox.view('ex-retry');
      expect(view).toMatchObject({ status: 'pending', attempts: 0 });
      expect(view?.history.map((r) => r.result)).toEqual(['transient', 'exhausted']);
      expect(await redis.zscore(outbox.key('outbox', 'due'), 'ex-retry')).toBe('90000');
      expect((await outbox.listDead(10)).items.map((item) => item.effect.id)).not.toContain(
        'ex-retry',
      );
      const listed = await outbox.listExhausted(10);
      expect(listed.items.find((item) => item.effect.id === 'ex-retry')).toMatchObject({
        exhaustedAtMs: 1_000,
        nextRoundMs: 90_000,
      });
    });

    it('forgets it as exhausted once a later round is delivered', async () => {
      await commitEffects(redis, prefix, TENANT, ['ex-later']);
      await settle({
        effectId: 'ex-later',
        outcome: 'retry',
        retryAtMs: 5_000,
        record: exhausted,
        nowMs: 1_000,
      });
      // Another round ran out too: still exhausted since the first time.
      await settle({
        effectId: 'ex-later',
        outcome: 'retry',
        retryAtMs: 9_000,
        record: exhausted,
        nowMs: 5_000,
      });
      const before = await outbox.listExhausted(10);
      expect(before.items.find((item) => item.effect.id === 'ex-later')?.exhaustedAtMs).toBe(1_000);

      await settle({ effectId: 'ex-later', outcome: 'delivered', record: delivered, nowMs: 9_000 });

      expect((await outbox.view('ex-later'))?.status).toBe('delivered');
      const after = await outbox.listExhausted(10);
      expect(after.items.map((item) => item.effect.id)).not.toContain('ex-later');
      expect(await redis.zscore(outbox.key('outbox', 'due'), 'ex-later')).toBeNull();
    });
  });

  describe('when the chain dead-letters it', () => {
    it('dead-letters it and lists it as exhausted with no next round, from either script', async () => {
      await commitEffects(redis, prefix, TENANT, ['ex-dead', 'ex-plain']);
      await settle({ effectId: 'ex-dead', outcome: 'exhausted', record: exhausted, nowMs: 2_000 });
      await outbox.settlePlain(
        [
          {
            effectId: 'ex-plain',
            outcome: 'exhausted',
            record: exhausted,
            audit: { type: 'test.settle' },
          },
        ],
        3_000,
      );

      const dead = (await outbox.listDead(10)).items.map((item) => item.effect.id);
      expect(dead).toEqual(expect.arrayContaining(['ex-dead', 'ex-plain']));
      const listed = await outbox.listExhausted(10);
      for (const id of ['ex-dead', 'ex-plain']) {
        expect(listed.items.find((item) => item.effect.id === id)).toMatchObject({
          status: 'dead',
          nextRoundMs: null,
        });
      }
      const summary = await outbox.summary(10_000);
      expect(summary.exhausted).toBe(listed.total);
    });
  });
});
