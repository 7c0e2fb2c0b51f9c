import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { type CatalogRuntime, catalogRuntime } from '../../src/app/catalog-runtime.js';
import type { AppContext } from '../../src/app-context.js';
import { type Clock, systemClock } from '../../src/clock.js';
import { CATALOG_QUEUE_NAMES } from '../../src/queues/catalog-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import type { Closable } from '../../src/runtime/closable.js';
import { createTestContext } from './test-context.js';

export const TENANT = 'acme';
export const TENANT_TOKEN = 'acme-token-0123456789abcdef';
export const OTHER_TENANT = 'globex';
export const OTHER_TOKEN = 'globex-token-0123456789abcdef';
/** The request headers that authenticate as TENANT, and as OTHER_TENANT. */
export const TENANT_AUTH = { authorization: `Bearer ${TENANT_TOKEN}` };
export const OTHER_AUTH = { authorization: `Bearer ${OTHER_TOKEN}` };

export interface CatalogTestContext {
  ctx: AppContext;
  runtime: CatalogRuntime;
  feedDir: string;
  /** completion events of the catalog queues, listening from before the test acts */
  events: Record<keyof typeof CATALOG_QUEUE_NAMES, QueueEvents>;
  /** closes workers started via `started`, the runtime, the events, Redis; removes feedDir */
  close(): Promise<void>;
  started: Closable[];
}

/**
 * An AppContext for catalog and feed tests: the run's real Redis, a key prefix and BullMQ prefix
 * no other test file uses, feeds in a fresh temporary directory, and silent logs.
 */
export async function catalogTestContext(
  env: Record<string, string> = {},
  clock: Clock = systemClock,
): Promise<CatalogTestContext> {
  const feedDir = await mkdtemp(path.join(tmpdir(), 'acw-feeds-'));
  const ctx = createTestContext(
    {
      AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN},${OTHER_TENANT}:${OTHER_TOKEN}`,
      FEED_DIR: feedDir,
      EVALUATION_COALESCE_MS: '20',
      FEED_PUBLISH_DEBOUNCE_MS: '20',
      STALENESS_SWEEP_EVERY_MS: '200',
      ...env,
    },
    clock,
  );
  const { config } = ctx;
  const runtime = catalogRuntime(ctx);
  const events = {
    evaluate: new QueueEvents(CATALOG_QUEUE_NAMES.evaluate, {
      connection: ctx.workerConnection(),
      prefix: queuePrefix(config, CATALOG_QUEUE_NAMES.evaluate),
    }),
    sweepDue: new QueueEvents(CATALOG_QUEUE_NAMES.sweepDue, {
      connection: ctx.workerConnection(),
      prefix: queuePrefix(config, CATALOG_QUEUE_NAMES.sweepDue),
    }),
    publishFeed: new QueueEvents(CATALOG_QUEUE_NAMES.publishFeed, {
      connection: ctx.workerConnection(),
      prefix: queuePrefix(config, CATALOG_QUEUE_NAMES.publishFeed),
    }),
    pullCatalog: new QueueEvents(CATALOG_QUEUE_NAMES.pullCatalog, {
      connection: ctx.workerConnection(),
      prefix: queuePrefix(config, CATALOG_QUEUE_NAMES.pullCatalog),
    }),
  };
  await Promise.all(Object.values(events).map((queueEvents) => queueEvents.waitUntilReady()));
  const started: Closable[] = [];
  return {
    ctx,
    runtime,
    feedDir,
    events,
    started,
    async close() {
      await Promise.allSettled(started.reverse().map((part) => part.close()));
      await Promise.allSettled(Object.values(events).map((queueEvents) => queueEvents.close()));
      await runtime.close();
      await ctx.close();
      await rm(feedDir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves with the return value of the next completed job on `events` that `accept` takes;
 * rejects on a deadline so a missing event fails the test instead of hanging it. Register it
 * BEFORE the action that causes the job.
 */
export function nextCompleted<T>(
  events: QueueEvents,
  accept: (value: T) => boolean = () => true,
  deadlineMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off('completed', onCompleted);
      reject(new Error(`no matching completed job within ${deadlineMs} ms`));
    }, deadlineMs);
    const onCompleted = ({ returnvalue }: { returnvalue: unknown }) => {
      if (!accept(returnvalue as T)) return;
      clearTimeout(timer);
      events.off('completed', onCompleted);
      resolve(returnvalue as T);
    };
    events.on('completed', onCompleted);
  });
}
