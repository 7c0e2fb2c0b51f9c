import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nudgeOutboxDrain, OUTBOX_QUEUE_NAMES } from '../../src/queues/outbox-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { type OutboxEffect, OutboxStore } from '../../src/store/outbox-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import { receiptBody, receiptEffect } from '../helpers/outbox-fixtures.js';
import { connectTestRedis, testRedisEnv, uniquePrefix } from '../helpers/redis.js';
import {
  exitOf,
  isRunning,
  type LogLine,
  logCollector,
  npmStart,
} from '../helpers/service-process.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A worker process (`npm start -- --role worker`) gets SIGTERM while a delivery job waits on a
 * slow provider. The job must finish — its call answered, its effect settled once — before the
 * process closes its queues, provider client and Redis, and the process must exit 0.
 */

const TENANT = 'acme';
const keyPrefix = uniquePrefix('sigterm');
const queueBase = `{sigterm-${randomUUID().slice(0, 8)}}`;

let redis: RedisClient;
let provider: LoopbackServer;
let held: ServerResponse[] = [];
let callArrived!: () => void;
const firstCall = new Promise<void>((resolve) => {
  callArrived = resolve;
});

function sigtermReceipt(): OutboxEffect {
  return receiptEffect(`sigterm-${randomUUID().slice(0, 8)}.receipt`, TENANT, {
    body: receiptBody(1, 1),
    correlationId: 'sigterm-test',
    createdAtMs: Date.now(),
  });
}

beforeAll(async () => {
  redis = connectTestRedis();
  // Holds every answer until the test lets it go.
  provider = await loopbackServer((_request, response) => {
    held.push(response);
    callArrived();
  });
});

afterAll(async () => {
  await provider.close();
  await redis.quit();
});

describe('when a worker process gets SIGTERM through npm while a delivery waits on its provider', () => {
  it('lets the call complete, settles the effect once, closes in phases and exits 0', async () => {
    const npm = npmStart(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ...testRedisEnv(),
        KEY_PREFIX: keyPrefix,
        QUEUE_PREFIX: queueBase,
        AUTH_TOKENS: `${TENANT}:acme-token-0000000000000001`,
        WEBHOOK_SECRET: 'test-webhook-secret-0000000001',
        RESERVATION_URL: provider.url,
        PAYMENT_URL: provider.url,
        RECEIPT_URL: provider.url,
        PROVIDER_REQUEST_TIMEOUT_MS: '30000',
        SHUTDOWN_DEADLINE_MS: '30000',
        HOST: '127.0.0.1',
        PORT: '0',
      },
      ['--role', 'worker'],
    );
    let servicePid: number | undefined;
    const drain = new Queue(OUTBOX_QUEUE_NAMES.drain, {
      connection: redis,
      prefix: queuePrefix({ QUEUE_PREFIX: queueBase }, OUTBOX_QUEUE_NAMES.drain),
    });
    try {
      const logs = logCollector(npm);
      const started = await logs.message('agent-commerce-worker started');
      expect(started.role).toBe('worker');
      servicePid = started.pid as number;

      const effect = sigtermReceipt();
      await new OutboxStore(redis, keyPrefix, TENANT).registerTenant();
      const committed = await new CheckoutStore(redis, keyPrefix, TENANT).commit({
        checkoutId: `sigterm-${effect.id}`,
        expectedVersion: 0,
        doc: '{}',
        effects: [{ effect, dueMs: Date.now() }],
        audit: { type: 'test.commit' },
      });
      expect(committed.kind).toBe('ok');
      await nudgeOutboxDrain(drain, TENANT);
      await firstCall;

      npm.kill('SIGTERM');
      const shuttingDown = await logs.message('shutting down');
      // The workers are closing now, with the call still held at the provider.
      await logs.message('closed the HTTP server');
      expect(logs.seen.some((line) => line.msg === 'closed the workers')).toBe(false);
      const answered = held;
      held = [];
      for (const response of answered) {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'rcpt_1' }));
      }

      expect(await exitOf(npm)).toBe(0);
      const pid = servicePid;
      await waitFor('the service process to be gone', async () =>
        isRunning(pid) ? undefined : true,
      );

      // One call, answered once; the effect delivered by that one attempt.
      const calls = provider.requests.filter((r) => r.headers['idempotency-key'] === effect.id);
      expect(calls).toHaveLength(1);
      const view = await new OutboxStore(redis, keyPrefix, TENANT).view(effect.id);
      expect(view?.status).toBe('delivered');
      expect(view?.history).toHaveLength(1);
      const audit = await redis.xrange(`${keyPrefix}:{${TENANT}}:audit`, '-', '+');
      const deliveredEvents = audit.filter(([, fields]) => {
        const event = JSON.parse(fields[1] as string) as { type: string; effectId?: string };
        return event.type === 'effect.delivered' && event.effectId === effect.id;
      });
      expect(deliveredEvents).toHaveLength(1);

      // Closed in phases, after the job finished, with nothing failing on the way.
      const after = logs.seen.slice(logs.seen.indexOf(shuttingDown));
      expect(after.map((line) => line.msg)).toEqual([
        'shutting down',
        'closed the HTTP server',
        'closed the workers',
        'closed the queues',
        'closed the providers',
        'closed the connections',
        'stopped',
      ]);
      expect(after.filter((line: LogLine) => (line.level as number) >= 40)).toEqual([]);
    } finally {
      await drain.close();
      if (npm.exitCode === null) npm.kill('SIGKILL');
      if (servicePid !== undefined && isRunning(servicePid)) process.kill(servicePid, 'SIGKILL');
    }
  }, 60_000);
});
