import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { TenantKey } from '../../src/store/keys.js';
import type { RedisClient } from '../../src/store/redis.js';

/**
 * The I/O floor of a decision event's delivery: the Redis keys the real path reads and writes
 * for each event, with plain commands batched as the real path batches them, and the same signed
 * POST; no BullMQ, no scripts, no logic. Per drain batch (1,000): the due range read and pushed
 * out by the lease, the definitions read. Per group of GROUP events, `inFlight` events in
 * flight over all groups: one pipeline for the gate's begin (status, subscription, the key's
 * next, begun and sending fields; the begun and sending fields written), the POSTs, then one
 * pipeline for the settlement (status, due, settled, history, attempts, audit) and the gate's
 * end. Its keys are its own (a `bench-floor` part in the tenant's keys), seeded untimed
 * beforehand, and removed afterwards.
 *
 * The difference to the real path is then what BullMQ (the delivery queue's jobs), the scripts'
 * logic and ours cost, not the I/O any delivery of these events has to do.
 */
export interface IoFloorBody {
  path: string;
  body: string;
  unix: string;
  signature: string;
}

export interface IoFloor {
  /** Writes `count` pending effects of the floor, due now (untimed). */
  seed(count: number): Promise<void>;
  /** Delivers every seeded effect (the timed part). */
  run(): Promise<void>;
  /** Deletes the floor's keys. */
  clear(): Promise<void>;
}

interface Definition {
  id: string;
  orderingKey: string;
  subscriptionId: string;
}

const DRAIN_BATCH = 1_000;
/**
 * Events whose Redis commands go together: the real path gathers its gate and settle calls per
 * turn of the event loop; lanes of GROUP keep `inFlight` POSTs going between the groups' waits.
 */
const GROUP = 16;
const LEASE_MS = 60_000;
const AUDIT_MAXLEN = 100_000;

export function deliveryIoFloor(deps: {
  redis: RedisClient;
  key: TenantKey;
  url: string;
  bodies: readonly IoFloorBody[];
  inFlight: number;
  /** the subscriptions hash the gate reads (the real one) */
  subscriptionsKey: string;
}): IoFloor {
  const k = (part: string) => deps.key('bench-floor', part);
  const keys = {
    def: k('def'),
    status: k('status'),
    due: k('due'),
    settled: k('settled'),
    history: k('history'),
    attempts: k('attempts'),
    audit: k('audit'),
    next: k('next'),
    sending: k('sending'),
    begun: k('begun'),
  };
  let seeded = 0;
  let runId = '';
  const sample = (i: number) => deps.bodies[i % deps.bodies.length] as IoFloorBody;
  const subscriptionOf = (body: string) =>
    (JSON.parse(body) as { subscriptionId: string }).subscriptionId;

  return {
    async seed(count) {
      runId = randomUUID().slice(0, 8);
      seeded = count;
      for (let from = 0; from < count; from += DRAIN_BATCH) {
        const pipeline = deps.redis.pipeline();
        for (let i = from; i < Math.min(count, from + DRAIN_BATCH); i++) {
          const id = `floor-io-${runId}-${i}`;
          const { path, body } = sample(i);
          const definition = JSON.stringify({
            id,
            orderingKey: `${subscriptionOf(body)} ${id}`,
            subscriptionId: subscriptionOf(body),
            path,
            body: JSON.parse(body) as unknown,
          });
          pipeline.hset(keys.def, id, definition);
          pipeline.hset(keys.status, id, 'pending');
          pipeline.zadd(keys.due, 0, id);
          pipeline.hset(keys.next, `${subscriptionOf(body)} ${id}`, id);
        }
        await pipeline.exec();
      }
    },

    async run() {
      const pool = new Pool(deps.url, { connections: deps.inFlight });
      const claimed: Definition[] = [];
      let claiming: Promise<void> | undefined;
      let left = seeded;
      /** The drain: the due range read and pushed out by the lease, the definitions read. */
      const claim = async () => {
        const nowMs = Date.now();
        const ids = await deps.redis.zrangebyscore(
          keys.due,
          '-inf',
          nowMs,
          'LIMIT',
          0,
          DRAIN_BATCH,
        );
        if (ids.length === 0) throw new Error('bench/fanout: the I/O floor found nothing due');
        await deps.redis.zadd(keys.due, 'XX', ...ids.flatMap((id) => [nowMs + LEASE_MS, id]));
        for (const json of await deps.redis.hmget(keys.def, ...ids))
          claimed.push(JSON.parse(json as string) as Definition);
      };
      const nextDefinition = async (): Promise<Definition | undefined> => {
        while (claimed.length === 0) {
          if (left <= 0) return undefined;
          claiming ??= claim().finally(() => {
            claiming = undefined;
          });
          await claiming;
        }
        left -= 1;
        return claimed.shift();
      };
      /** A group of events: the gate's begin, the signed POSTs, the settlement and the gate's end. */
      const deliver = async (group: readonly Definition[], at: number) => {
        const ids = group.map((d) => d.id);
        const orderingKeys = group.map((d) => d.orderingKey);
        const nowMs = Date.now();
        await deps.redis
          .pipeline()
          .hmget(keys.status, ...ids)
          .hmget(deps.subscriptionsKey, ...group.map((d) => d.subscriptionId))
          .hmget(keys.next, ...orderingKeys)
          .hmget(keys.begun, ...orderingKeys)
          .hmget(keys.sending, ...orderingKeys)
          .hdel(keys.next, ...orderingKeys)
          .hset(keys.begun, ...group.flatMap((d) => [d.orderingKey, d.id]))
          .hset(
            keys.sending,
            ...group.flatMap((d) => [d.orderingKey, `${d.id}|${nowMs + LEASE_MS}`]),
          )
          .exec();
        await Promise.all(
          group.map(async ({ id }, i) => {
            const { path, body, unix, signature } = sample(at + i);
            const response = await pool.request({
              path,
              method: 'POST',
              headers: {
                accept: 'application/json',
                'content-type': 'application/json',
                'idempotency-key': id,
                'x-correlation-id': 'decision-changes.io-floor',
                'webhook-id': id,
                'webhook-timestamp': unix,
                'merchant-signature': signature,
              },
              body,
            });
            await response.body.text();
            if (response.statusCode !== 204)
              throw new Error(`the I/O floor got ${response.statusCode}`);
          }),
        );
        const settledAt = Date.now();
        const record = JSON.stringify({
          at: new Date(settledAt).toISOString(),
          result: 'delivered',
          status: 204,
        });
        const settle = deps.redis
          .pipeline()
          .hmget(keys.status, ...ids)
          .hset(keys.status, ...ids.flatMap((id) => [id, 'delivered']))
          .zrem(keys.due, ...ids)
          .zadd(keys.settled, ...ids.flatMap((id) => [settledAt, id]))
          .hmget(keys.history, ...ids)
          .hset(keys.history, ...ids.flatMap((id) => [id, `[${record}]`]));
        for (const id of ids) {
          settle
            .hincrby(keys.attempts, id, 1)
            .xadd(
              keys.audit,
              'MAXLEN',
              '~',
              AUDIT_MAXLEN,
              '*',
              'event',
              JSON.stringify({ type: 'effect.delivered', effectId: id, at: record }),
            );
        }
        await settle
          .hmget(keys.sending, ...orderingKeys)
          .hdel(keys.sending, ...orderingKeys)
          .exec();
      };
      let at = 0;
      const lanes = Math.max(1, Math.floor(deps.inFlight / GROUP));
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          for (;;) {
            const group: Definition[] = [];
            while (group.length < GROUP) {
              const definition = await nextDefinition();
              if (definition === undefined) break;
              group.push(definition);
            }
            if (group.length === 0) return;
            const from = at;
            at += group.length;
            await deliver(group, from);
          }
        }),
      );
      await pool.close();
    },

    async clear() {
      await deps.redis.del(...Object.values(keys));
    },
  };
}
