import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAgentFeedItem } from '../../feeds/agent-feed-decoder.js';
import { renderReadinessPage } from '../../src/adapters/admin/readiness-page.js';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { driftAuditDeps, driftFeature } from '../../src/app/drift.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { type AppContext, createAppContext } from '../../src/app-context.js';
import { manualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { DriftSummary } from '../../src/domain/index.js';
import { contextKey, type ProductFacts } from '../../src/domain/index.js';
import { createLogger } from '../../src/logger.js';
import { AUDIT_DRIFT_QUEUE } from '../../src/queues/drift-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import type { Closable } from '../../src/runtime/closable.js';
import { type AuditedSurface, auditTenantDrift } from '../../src/services/drift-audit.js';
import type { StoredProfile } from '../../src/store/profile-codec.js';
import { testRedisEnv } from '../helpers/redis.js';
import { freshInventory, fullCoverage, listedProduct, NOW_MS } from '../support/facts.js';

/**
 * Drift measured at run time (issue 10, part 6), on the real Redis and a real BullMQ worker:
 * the audit-drift job re-decides stored profiles from current facts and reports where the
 * stored profile or a surface disagrees — here a stored profile corrupted to say `allowed` where
 * the domain blocks, and one left behind by changed facts.
 */
/** One tenant per test, so neither depends on what the other did to its catalog. */
const CORRUPTED = 'drift-acme';
const BEHIND = 'drift-globex';
const UNREADABLE = 'drift-initech';
const EU_CONSUMER = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;

const ready = listedProduct({ id: 'BAG-READY', sku: 'BAG-READY' });
const outOfStock = listedProduct({
  id: 'BAG-OOS',
  sku: 'BAG-OOS',
  inventory: freshInventory({ status: 'out_of_stock' }),
});

interface LogLine {
  level: number;
  msg: string;
  tenant?: string;
  productId?: string;
  context?: { region: string; buyerType: string; channel: string };
  surface?: string;
}

describe('the audit-drift job', () => {
  const lines: LogLine[] = [];
  let ctx: AppContext;
  let queue: Queue;
  let events: QueueEvents;
  const started: Closable[] = [];

  beforeAll(async () => {
    const id = randomUUID().slice(0, 8);
    const config = loadConfig({
      NODE_ENV: 'test',
      ...testRedisEnv(),
      KEY_PREFIX: `t-${id}`,
      QUEUE_PREFIX: `{q-${id}}`,
      AUTH_TOKENS: `${CORRUPTED}:drift-token-0123456789abcdef,${BEHIND}:drift-token-fedcba9876543210,${UNREADABLE}:drift-token-0123456789initech`,
      DRIFT_AUDIT_SAMPLE: '10',
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as LogLine);
        done();
      },
    });
    ctx = createAppContext(config, createLogger({ level: 'info' }, sink), manualClock(NOW_MS));
    const runtime = catalogRuntime(ctx);
    for (const tenant of [CORRUPTED, BEHIND, UNREADABLE]) {
      const stores = runtime.storesOf(tenant);
      for (const policy of fullCoverage()) await stores.catalog.putPolicy(policy);
      await stores.catalog.putProducts([ready, outOfStock]);
      await runtime.evaluation.evaluateBatch(stores, [ready.id, outOfStock.id], NOW_MS);
    }

    queue = new Queue(AUDIT_DRIFT_QUEUE, {
      connection: ctx.producer,
      prefix: queuePrefix(config, AUDIT_DRIFT_QUEUE),
    });
    events = new QueueEvents(AUDIT_DRIFT_QUEUE, {
      connection: ctx.workerConnection(),
      prefix: queuePrefix(config, AUDIT_DRIFT_QUEUE),
    });
    await events.waitUntilReady();
    started.push(...((await driftFeature.startWorkers?.(ctx)) ?? []));
  });

  afterAll(async () => {
    await Promise.allSettled(started.map((part) => part.close()));
    await Promise.allSettled([queue?.close(), events?.close()]);
    await catalogRuntime(ctx).close();
    await ctx.close();
  });

  /** Runs one audit through the queue and resolves with `tenant`'s summary. */
  async function audit(tenant: string): Promise<DriftSummary> {
    const job = await queue.add('audit', {});
    const summaries = (await job.waitUntilFinished(events, 30_000)) as Record<string, DriftSummary>;
    return summaries[tenant] as DriftSummary;
  }

  function countOf(summary: DriftSummary, surface: string, kind: string): number {
    return summary.counts.find((row) => row.surface === surface && row.kind === kind)?.count ?? 0;
  }

  async function metricValue(surface: string, kind: string): Promise<number> {
    const metric = await ctx.metrics.drift.get();
    return (
      metric.values.find((v) => v.labels.surface === surface && v.labels.kind === kind)?.value ?? 0
    );
  }

  async function setStored(productId: string, edit: (stored: StoredProfile) => void) {
    const profiles = catalogRuntime(ctx).storesOf(CORRUPTED).profiles;
    const stored = await profiles.read(contextKey(EU_CONSUMER), productId);
    if (stored === undefined) throw new Error(`no stored profile of ${productId}`);
    edit(stored);
    await ctx.redis.hset(
      profiles.profilesKey(contextKey(EU_CONSUMER)),
      productId,
      JSON.stringify(stored),
    );
  }

  it('finds nothing on profiles the domain just wrote, then reports a corrupted one', async () => {
    const clean = await audit(CORRUPTED);
    expect(clean.products).toBe(2);
    expect(clean.checked).toBe(2 * 4);
    expect(clean.counts).toEqual([]);

    // The stored EU consumer profile of the out-of-stock bag now says allowed wherever the
    // domain blocks; its fingerprints still match, so the profile service would serve it.
    await setStored(outOfStock.id, (stored) => {
      for (const decision of stored.d) if (decision[2] === 'blocked') decision[2] = 'allowed';
    });
    const before = await metricValue('acp_feed', 'optimistic');
    const corrupted = await audit(CORRUPTED);

    for (const surface of [
      'profile_api',
      'agent_feed',
      'acp_feed',
      'a2a_v1',
      'a2a_v03',
      'mcp',
      'mcp_search',
    ])
      expect(countOf(corrupted, surface, 'optimistic'), surface).toBe(1);
    expect(countOf(corrupted, 'readiness_page', 'optimistic')).toBe(1);
    expect(corrupted.optimistic.some((line) => line.startsWith('BAG-OOS EU:consumer:agent'))).toBe(
      true,
    );
    // at least this run's finding (a scheduled run may have found it too)
    expect(await metricValue('acp_feed', 'optimistic')).toBeGreaterThan(before);

    const logged = lines.filter(
      (line) => line.level === 50 && line.msg.startsWith('drift:') && line.tenant === CORRUPTED,
    );
    expect(logged.map((line) => line.surface)).toContain('acp_feed');
    expect(logged.every((line) => line.productId === outOfStock.id)).toBe(true);
    expect(logged[0]?.context).toEqual(EU_CONSUMER);

    const sources = readinessSourcesOf(ctx);
    try {
      const shown = await sources.drift?.(CORRUPTED);
      expect(shown).toEqual(corrupted);
      const page = renderReadinessPage({
        tenant: CORRUPTED,
        tenants: [CORRUPTED],
        overview: { contexts: [], products: 2 },
        filter: { context: EU_CONSUMER, limit: 50 },
        listing: { rows: [], total: 0, offset: 0, hasNext: false },
        outbox: null,
        feeds: [],
        drift: shown ?? null,
        csrfToken: 'x',
      });
      expect(page).toContain('id="drift-optimistic"');
      expect(page).toContain('BAG-OOS EU:consumer:agent acp_feed');
    } finally {
      await sources.close?.();
    }
  });

  it('counts a stored profile left behind by changed facts as stale, not as a surface drift', async () => {
    const stores = catalogRuntime(ctx).storesOf(BEHIND);
    // New facts, written without the evaluation job running: the stored profiles are behind.
    const restocked: ProductFacts = { ...outOfStock, inventory: freshInventory() };
    await stores.catalog.putProducts([restocked]);
    const summary = await audit(BEHIND);
    expect(countOf(summary, 'stored_profile', 'stale')).toBeGreaterThanOrEqual(1);
    // Served profiles are re-decided on read, so no surface says more than the domain.
    expect(summary.counts.filter((row) => row.kind === 'optimistic')).toEqual([]);
  });

  it('is scheduled every DRIFT_AUDIT_EVERY_MS by the scheduler role', async () => {
    const closables = (await driftFeature.startSchedulers?.(ctx)) ?? [];
    try {
      const scheduler = await queue.getJobScheduler(AUDIT_DRIFT_QUEUE);
      expect(Number(scheduler?.every)).toBe(ctx.config.DRIFT_AUDIT_EVERY_MS);
    } finally {
      await queue.removeJobScheduler(AUDIT_DRIFT_QUEUE);
      await Promise.allSettled(closables.map((part) => part.close()));
    }
  });

  it('counts a surface whose wire form its decoder cannot read as a mismatch, and logs it', async () => {
    const deps = driftAuditDeps(ctx);
    const garbled: AuditedSurface = {
      name: 'garbled_feed',
      wire: () => ({ unexpected: true }),
      decode: decodeAgentFeedItem,
    };
    const summary = await auditTenantDrift(
      { ...deps, surfaces: [...deps.surfaces, garbled] },
      UNREADABLE,
    );
    expect(summary.counts).toEqual([{ surface: 'garbled_feed', kind: 'mismatch', count: 2 * 4 }]);
    expect(
      lines.some(
        (line) =>
          line.level === 40 && line.tenant === UNREADABLE && line.surface === 'garbled_feed',
      ),
    ).toBe(true);
  });
});
