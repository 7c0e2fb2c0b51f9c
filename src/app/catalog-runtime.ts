import type { Queue } from 'bullmq';
import { FeedPublisher } from '../../feeds/feed-publisher.js';
import { FeedRenderCache } from '../../feeds/feed-render-cache.js';
import { DirectoryFeedSource, type FeedSource } from '../../feeds/feed-source.js';
import { feedFormats } from '../../feeds/formats.js';
import { DirectorySink } from '../../feeds/sinks/directory-sink.js';
import { HttpPutSink } from '../../feeds/sinks/http-put-sink.js';
import { HttpSinkReader } from '../../feeds/sinks/http-sink-reader.js';
import { SinkMirrorSource } from '../../feeds/sinks/sink-mirror-source.js';
import type { AppContext } from '../app-context.js';
import { type CatalogQueues, openCatalogQueues } from '../queues/catalog-queues.js';
import { evaluationShardOf } from '../queues/queue-groups.js';
import { openProjectionQueue, requestProjection } from '../queues/subscription-queues.js';
import { CatalogService } from '../services/catalog-service.js';
import { EvaluationService, type TenantStores } from '../services/evaluation-service.js';
import { EvaluationThread } from '../services/evaluation-threads.js';
import { ProfileService } from '../services/profile-service.js';
import { ExpiringWarner } from '../services/subscriptions/expiring-warner.js';
import { AuditStore } from '../store/audit-store.js';
import { CatalogStore } from '../store/catalog-store.js';
import { DecisionChangeStore } from '../store/decision-change-store.js';
import { EvaluationWorkStore } from '../store/evaluation-work-store.js';
import { FeedLockStore } from '../store/feed-lock-store.js';
import { ProfileStore } from '../store/profile-store.js';
import { feedSellerOf } from './feed-seller.js';
import { subscriptionServiceOf } from './subscriptions.js';

/** Everything the catalog and feeds features share in one process, built once per AppContext. */
export interface CatalogRuntime {
  ctx: AppContext;
  queues: CatalogQueues;
  /** every tenant that holds a token; the sweeps and schedules run for each */
  tenants: readonly string[];
  storesOf(tenant: string): TenantStores;
  evaluation: EvaluationService;
  catalog: CatalogService;
  profiles: ProfileService;
  feeds: FeedPublisher;
  decisionEvents: {
    request(tenant: string): Promise<void>;
    backlogged(tenant: string): Promise<boolean>;
    warnExpiring(tenant: string, nowMs: number): Promise<number>;
  };
  close(): Promise<void>;
}

const runtimes = new WeakMap<AppContext, CatalogRuntime>();

export function catalogRuntime(ctx: AppContext): CatalogRuntime {
  const existing = runtimes.get(ctx);
  if (existing !== undefined) return existing;
  const { config, redis, clock, logger } = ctx;
  const queues = openCatalogQueues(redis, config, config.EVALUATION_QUEUE_SHARDS);
  const stores = new Map<string, TenantStores>();
  const storesOf = (tenant: string): TenantStores => {
    let found = stores.get(tenant);
    if (found === undefined) {
      found = {
        catalog: new CatalogStore(redis, config.KEY_PREFIX, tenant),
        profiles: new ProfileStore(redis, config.KEY_PREFIX, tenant),
        audit: new AuditStore(redis, config.KEY_PREFIX, tenant, config.AUDIT_MAXLEN_PER_PRODUCT),
        work: new EvaluationWorkStore(redis, config.KEY_PREFIX, tenant),
        changes: new DecisionChangeStore(redis, config.KEY_PREFIX, tenant),
      };
      stores.set(tenant, found);
    }
    return found;
  };
  const sliceSettings = {
    contexts: config.EVALUATION_CONTEXTS,
    options: { requiredPolicyDomains: config.REQUIRED_POLICY_DOMAINS },
  };
  const evaluation = new EvaluationService(
    {
      ...sliceSettings,
      coalesceMs: config.EVALUATION_COALESCE_MS,
      onDecisions(tally) {
        for (const [key, count] of tally) {
          const [action, result] = key.split('|') as [string, string];
          ctx.metrics.decisions.inc({ action, result }, count);
        }
      },
    },
    (tenant) =>
      queues.evaluateShards[evaluationShardOf(tenant, queues.evaluateShards.length)] as Queue,
    config.EVALUATION_THREADS > 0 ? new EvaluationThread(sliceSettings) : undefined,
  );
  const profiles = new ProfileService(storesOf, evaluation, clock, logger);
  const sinkOptions =
    config.FEED_SINK_URL === undefined
      ? undefined
      : {
          baseUrl: config.FEED_SINK_URL,
          timeoutMs: config.FEED_SINK_TIMEOUT_MS,
          retries: config.FEED_SINK_RETRIES,
        };
  const remote = sinkOptions === undefined ? undefined : new HttpPutSink(sinkOptions);
  const directory = new DirectorySink(config.FEED_DIR, config.FEED_KEEP_VERSIONS);
  const source: FeedSource =
    config.FEED_SOURCE === 'sink' && sinkOptions !== undefined
      ? new SinkMirrorSource(new HttpSinkReader(sinkOptions), directory, logger)
      : new DirectoryFeedSource(directory);
  const feeds = new FeedPublisher(
    {
      context: config.FEED_CONTEXT,
      formatSettings: { seller: feedSellerOf(config) },
      pageSize: 500,
      debounceMs: config.FEED_PUBLISH_DEBOUNCE_MS,
      lockTtlMs: 10 * 60_000,
    },
    feedFormats({ seller: feedSellerOf(config) }),
    (tenant) => storesOf(tenant).catalog,
    profiles,
    directory,
    remote,
    new FeedLockStore(redis, config.KEY_PREFIX),
    queues.publishFeed,
    clock,
    logger,
    config.FEED_RENDER_CACHE === 'on' ? new FeedRenderCache(redis, config.KEY_PREFIX) : undefined,
    source,
  );
  const projections = openProjectionQueue(redis, config);
  const expiring = new ExpiringWarner({
    redis,
    prefix: config.KEY_PREFIX,
    subscriptions: subscriptionServiceOf(ctx),
    contexts: config.EVALUATION_CONTEXTS,
    leadMs: config.PROFILE_EXPIRING_LEAD_MS,
  });
  const runtime: CatalogRuntime = {
    ctx,
    queues,
    tenants: [...new Set(config.AUTH_TOKENS.map((entry) => entry.tenant))],
    storesOf,
    evaluation,
    catalog: new CatalogService(storesOf, evaluation),
    profiles,
    feeds,
    decisionEvents: {
      request: (tenant) => requestProjection(projections, tenant),
      backlogged: async (tenant) => {
        const backlog = await storesOf(tenant).changes?.backlog(clock.nowMs());
        return (backlog?.entries ?? 0) > 0;
      },
      warnExpiring: async (tenant, nowMs) => {
        const written = await expiring.sweep(tenant, nowMs);
        if (written > 0) ctx.metrics.decisionEvents.inc({ tenant, outcome: 'expiring' }, written);
        return written;
      },
    },
    async close() {
      await evaluation.close();
      await queues.close();
      await projections.close();
      await remote?.close();
      await source.close?.();
      runtimes.delete(ctx);
    },
  };
  runtimes.set(ctx, runtime);
  return runtime;
}
