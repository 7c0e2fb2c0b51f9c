import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlainSettleBatcher } from '../../src/services/outbox/plain-settle-batcher.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { commitEffects } from '../helpers/outbox-fixtures.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

const TENANT = 'acme';
let redis: RedisClient;

/** An outbox under a prefix of this test's own, with `ids` committed as pending effects. */
async function outboxWith(ids: string[]) {
  const prefix = uniquePrefix('settle-plain');
  await commitEffects(redis, prefix, TENANT, ids);
  return { prefix, outbox: new OutboxStore(redis, prefix, TENANT) };
}

const record = { at: '2026-01-01T00:00:00.000Z', result: 'delivered' } as const;

async function auditedIds(outbox: OutboxStore): Promise<string[]> {
  const events = await redis.xrange(outbox.key('audit'), '-', '+');
  return events
    .map(([, fields]) => JSON.parse(fields[1] as string) as { type: string; effectId?: string })
    .filter((event) => event.type.startsWith('effect.'))
    .map((event) => event.effectId as string);
}

beforeAll(() => {
  redis = connectTestRedis();
});

afterAll(async () => {
  await redis.quit();
});

describe('OutboxStore.settlePlain', () => {
  describe('when one effect of the batch was settled before', () => {
    it('settles the others and leaves that one, its history and audit as they were', async () => {
      const { outbox } = await outboxWith(['sp-a', 'sp-b', 'sp-c']);
      const audit = (id: string) => ({ type: 'effect.delivered', effectId: id });
      await outbox.settlePlain(
        [{ effectId: 'sp-b', outcome: 'dead', record, audit: audit('sp-b') }],
        1,
      );

      const results = await outbox.settlePlain(
        ['sp-a', 'sp-b', 'sp-c'].map((id) => ({
          effectId: id,
          outcome: 'delivered',
          record,
          audit: audit(id),
        })),
        2,
      );

      expect(results).toEqual([
        { kind: 'ok', attempts: 1 },
        { kind: 'already', status: 'dead' },
        { kind: 'ok', attempts: 1 },
      ]);
      expect(await outbox.countByStatus()).toEqual({
        pending: 0,
        delivered: 2,
        dead: 1,
        superseded: 0,
      });
      expect((await outbox.view('sp-b'))?.history).toHaveLength(1);
      expect(await redis.zrange(outbox.key('outbox', 'due'), 0, -1)).toEqual([]);
      expect(await redis.zrange(outbox.key('outbox', 'dead'), 0, -1)).toEqual(['sp-b']);
      expect((await auditedIds(outbox)).sort()).toEqual(['sp-a', 'sp-b', 'sp-c']);
    });
  });
});

describe('PlainSettleBatcher', () => {
  describe('when several settlements are asked for in the same turn', () => {
    it('writes them in one call and answers each', async () => {
      const { prefix } = await outboxWith(['pb-1', 'pb-2', 'pb-3']);
      let calls = 0;
      const counting = new Proxy(redis, {
        get(target, name, receiver) {
          if (name === 'acw_outbox_settle_plain') calls += 1;
          return Reflect.get(target, name, receiver);
        },
      });
      const batcher = new PlainSettleBatcher(counting, prefix, () => 3);

      const results = await Promise.all(
        ['pb-1', 'pb-2', 'pb-3', 'pb-1'].map((id) =>
          batcher.settle(TENANT, {
            effectId: id,
            outcome: 'delivered',
            record,
            audit: { type: 'effect.delivered', effectId: id },
          }),
        ),
      );

      expect(calls).toBe(1);
      expect(results).toEqual([
        { kind: 'ok', attempts: 1 },
        { kind: 'ok', attempts: 1 },
        { kind: 'ok', attempts: 1 },
        { kind: 'already', status: 'delivered' },
      ]);
    });
  });
});
