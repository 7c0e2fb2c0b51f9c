import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Queue } from 'bullmq';
import type { Clock } from '../src/clock.js';
import { type EvaluationContext, toInstant } from '../src/domain/index.js';
import type { Logger } from '../src/logger.js';
import {
  CATALOG_QUEUE_NAMES,
  type FeedName,
  PublishFeedPayloadSchema,
} from '../src/queues/catalog-queues.js';
import { enqueue } from '../src/queues/job-shell.js';
import type { ProfileLookup, ProfileService } from '../src/services/profile-service.js';
import type { CatalogStore } from '../src/store/catalog-store.js';
import type { FeedLockStore } from '../src/store/feed-lock-store.js';
import { Excluded, type FeedFormat } from './feed-format.js';
import type { DirectorySink } from './sinks/directory-sink.js';
import {
  EXCLUDED_IDS_LISTED,
  type FeedExclusions,
  type FeedManifest,
} from './sinks/feed-manifest.js';
import type { HttpPutSink } from './sinks/http-put-sink.js';

export interface FeedPublisherSettings {
  context: EvaluationContext;
  /** products read per page; memory holds one page of items at a time */
  pageSize: number;
  debounceMs: number;
  lockTtlMs: number;
}

export interface PublishOutcome {
  manifest?: FeedManifest;
  /** another publish of the same feed held the lock; one more was queued after it */
  busy?: true;
  /** items whose stored profile was out of date and that the domain evaluated at publish time */
  reevaluated: number;
}

interface RenderCounters {
  count: number;
  reevaluated: number;
  excluded: FeedExclusions;
}

function exclude(excluded: FeedExclusions, productId: string, reasons: readonly string[]): void {
  excluded.count += 1;
  for (const reason of reasons) excluded.reasons[reason] = (excluded.reasons[reason] ?? 0) + 1;
  if (excluded.productIds.length < EXCLUDED_IDS_LISTED) excluded.productIds.push(productId);
}

/** `20260628T090000123Z-a1b2`: sorts by time, unique across processes. */
function versionOf(nowMs: number): string {
  const stamp = toInstant(nowMs).replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * Publishes feeds: streams the catalog page by page (never the whole catalog in memory), reads
 * each page's CURRENT profiles through the profile service (so an item whose validUntil has
 * passed, or whose facts changed since evaluation, is decided again by the domain right then),
 * projects and serializes items, and hands the bytes to the sink, which swaps them in atomically.
 */
export class FeedPublisher {
  constructor(
    private readonly settings: FeedPublisherSettings,
    private readonly formats: Record<FeedName, FeedFormat>,
    private readonly catalogOf: (tenant: string) => CatalogStore,
    private readonly profiles: ProfileService,
    private readonly sink: DirectorySink,
    private readonly remote: HttpPutSink | undefined,
    private readonly locks: FeedLockStore,
    private readonly publishQueue: Queue,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  get feedNames(): FeedName[] {
    return Object.keys(this.formats) as FeedName[];
  }

  /**
   * Queues a publish. Deduplicated per feed: requests while one waits are absorbed by it, and
   * while one runs exactly one more is kept for after it, so changes never pile up publishes.
   */
  async requestPublish(
    tenant: string,
    feed: FeedName,
    reason: 'changed' | 'request' | 'schedule',
    delayMs = this.settings.debounceMs,
  ): Promise<string | undefined> {
    const job = await enqueue(
      this.publishQueue,
      { queue: CATALOG_QUEUE_NAMES.publishFeed, PayloadSchema: PublishFeedPayloadSchema },
      'publish',
      { tenant, feed, reason },
      {
        delay: delayMs,
        deduplication: { id: `publish:${tenant}:${feed}`, keepLastIfActive: true },
      },
    );
    return job.id;
  }

  /** Publishes one feed now, unless another publish of it holds the lock (then queues one). */
  async publish(tenant: string, feed: FeedName): Promise<PublishOutcome> {
    const held = await this.locks.withLock(tenant, feed, this.settings.lockTtlMs, () =>
      this.publishLocked(tenant, feed),
    );
    if (held.busy) {
      await this.requestPublish(tenant, feed, 'changed');
      return { busy: true, reevaluated: 0 };
    }
    return held.value;
  }

  private async publishLocked(tenant: string, feed: FeedName): Promise<PublishOutcome> {
    const format = this.formats[feed];
    const nowMs = this.clock.nowMs();
    const version = versionOf(nowMs);
    const file = `${version}.${format.extension}`;
    const counters: RenderCounters = {
      count: 0,
      reevaluated: 0,
      excluded: { count: 0, reasons: {}, productIds: [] },
    };
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const target = await this.sink.open(tenant, feed, file);
    const source = Readable.from(this.render(tenant, format, nowMs, counters));
    try {
      if (format.gzip) await pipeline(source, createGzip(), meter, target.stream);
      else await pipeline(source, meter, target.stream);
    } catch (error) {
      await target.abort();
      throw error;
    }
    const path = await target.complete();
    const manifest: FeedManifest = {
      feed,
      version,
      generatedAt: toInstant(nowMs),
      count: counters.count,
      sha256: hash.digest('hex'),
      bytes,
      file,
      contentType: format.contentType,
      context: this.settings.context,
      excluded: counters.excluded,
    };
    await this.sink.swapManifest(tenant, manifest);
    await this.sink.prune(tenant, feed);
    if (this.remote !== undefined) await this.remote.upload(tenant, path, manifest);
    this.logger.info(
      {
        tenant,
        feed,
        version,
        count: manifest.count,
        excluded: counters.excluded.count,
        bytes,
        reevaluated: counters.reevaluated,
      },
      'feed published',
    );
    return { manifest, reevaluated: counters.reevaluated };
  }

  /**
   * The file's bytes, one Buffer per catalog page. The next page is read while this one is
   * projected and serialized, so Redis and the CPU work at the same time; two pages at most are
   * in memory.
   */
  private async *render(
    tenant: string,
    format: FeedFormat,
    nowMs: number,
    counters: RenderCounters,
  ): AsyncGenerator<Buffer> {
    const publishedAt = toInstant(nowMs);
    const { head, between, after, tail } = format.framing;
    let text = head;
    let next = this.readPage(tenant, '', nowMs);
    for (;;) {
      const { ids, page } = await next;
      if (ids.length === 0) break;
      const more = ids.length >= this.settings.pageSize;
      if (more) next = this.readPage(tenant, ids.at(-1) as string, nowMs);
      for (const found of page) {
        if (found?.product === undefined) continue;
        if (found.source === 'evaluated') counters.reevaluated += 1;
        const item = format.project({
          product: found.product,
          profile: found.profile,
          publishedAt,
        });
        if (item === null) continue;
        if (item instanceof Excluded) {
          exclude(counters.excluded, found.product.id, item.reasons);
          continue;
        }
        if (counters.count > 0) text += between;
        text += format.serialize(item) + after;
        counters.count += 1;
      }
      if (text.length > 0) yield Buffer.from(text);
      text = '';
      if (!more) break;
    }
    text += tail;
    if (text.length > 0) yield Buffer.from(text);
  }

  /** One page of ids after `cursor` with their current profiles in the feed's context. */
  private readPage(
    tenant: string,
    cursor: string,
    nowMs: number,
  ): Promise<{ ids: string[]; page: (ProfileLookup | undefined)[] }> {
    const read = (async () => {
      const ids = await this.catalogOf(tenant).productIdsAfter(cursor, this.settings.pageSize);
      const page =
        ids.length === 0
          ? []
          : await this.profiles.currentPage(tenant, ids, this.settings.context, nowMs);
      return { ids, page };
    })();
    // A read ahead whose page is never awaited (the sink failed first) must not crash the
    // process as an unhandled rejection; an awaited one still throws to the publish.
    read.catch(() => {});
    return read;
  }

  async latest(
    tenant: string,
    feed: FeedName,
  ): Promise<{ manifest: FeedManifest; path: string } | undefined> {
    const manifest = await this.sink.readManifest(tenant, feed);
    if (manifest === undefined) return undefined;
    return { manifest, path: this.sink.filePath(tenant, manifest) };
  }

  async list(tenant: string): Promise<FeedManifest[]> {
    const found = await Promise.all(
      this.feedNames.map((feed) => this.sink.readManifest(tenant, feed)),
    );
    return found.filter((manifest): manifest is FeedManifest => manifest !== undefined);
  }
}
