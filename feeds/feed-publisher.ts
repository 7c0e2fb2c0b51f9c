import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Queue } from 'bullmq';
import type { Clock } from '../src/clock.js';
import { contextKey, type EvaluationContext, toInstant } from '../src/domain/index.js';
import type { Logger } from '../src/logger.js';
import {
  CATALOG_QUEUE_NAMES,
  type FeedName,
  PublishFeedPayloadSchema,
} from '../src/queues/catalog-queues.js';
import { enqueue } from '../src/queues/job-shell.js';
import type {
  ProfileCurrency,
  ProfileLookup,
  ProfileService,
} from '../src/services/profile-service.js';
import type { CatalogStore } from '../src/store/catalog-store.js';
import type { FeedLockStore } from '../src/store/feed-lock-store.js';
import { Excluded, type FeedFormat } from './feed-format.js';
import {
  type FeedRenderCache,
  itemText,
  keptText,
  PUBLISHED_AT,
  type RenderedEntry,
  type RenderedKind,
  renderKeyOf,
} from './feed-render-cache.js';
import { DirectoryFeedSource, type FeedSource, type PublishedFeed } from './feed-source.js';
import type { DirectorySink } from './sinks/directory-sink.js';
import {
  EXCLUDED_IDS_LISTED,
  type FeedExclusions,
  type FeedManifest,
} from './sinks/feed-manifest.js';
import type { HttpPutSink } from './sinks/http-put-sink.js';
import { sha256Meter } from './sinks/sha256-meter.js';

export interface FeedPublisherSettings {
  context: EvaluationContext;
  /** what the formats were built with (the seller): part of what a rendered item depends on */
  formatSettings?: unknown;
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
  /** products whose rendering was copied from the previous publish (still current) */
  fromCache?: number;
}

interface RenderCounters {
  count: number;
  reevaluated: number;
  fromCache: number;
  excluded: FeedExclusions;
}

/** One product of a page: its rendering from the last publish, still current, or its lookup. */
type PageEntry =
  | { id: string; cached: RenderedEntry }
  | { id: string; lookup: ProfileLookup | undefined };

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
    private readonly renderCache?: FeedRenderCache,
    private readonly source: FeedSource = new DirectoryFeedSource(sink),
  ) {
    const key = contextKey(settings.context);
    this.renderKeys = new Map(
      (Object.keys(formats) as FeedName[]).map((feed) => [
        feed,
        renderKeyOf(feed, key, settings.formatSettings),
      ]),
    );
  }

  private readonly renderKeys: Map<FeedName, string>;

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
      fromCache: 0,
      excluded: { count: 0, reasons: {}, productIds: [] },
    };
    const meter = sha256Meter();
    const target = await this.sink.open(tenant, feed, file);
    const source = Readable.from(this.render(tenant, format, nowMs, counters));
    try {
      if (format.gzip) await pipeline(source, createGzip(), meter.stream, target.stream);
      else await pipeline(source, meter.stream, target.stream);
    } catch (error) {
      await target.abort();
      throw error;
    }
    const path = await target.complete();
    const { sha256, bytes } = meter.result();
    const manifest: FeedManifest = {
      feed,
      version,
      generatedAt: toInstant(nowMs),
      count: counters.count,
      sha256,
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
        fromCache: counters.fromCache,
      },
      'feed published',
    );
    return { manifest, reevaluated: counters.reevaluated, fromCache: counters.fromCache };
  }

  /**
   * The file's bytes, one Buffer per catalog page. The next page is read while this one is
   * projected and serialized, so Redis and the CPU work at the same time; two pages at most are
   * in memory. With a render cache, a product whose rendering from the last publish is still
   * current is copied, not rendered again (feed-render-cache.ts).
   */
  private async *render(
    tenant: string,
    format: FeedFormat,
    nowMs: number,
    counters: RenderCounters,
  ): AsyncGenerator<Buffer> {
    const publishedAt = toInstant(nowMs);
    const caching = this.renderCache !== undefined;
    const renderKey = this.renderKeys.get(format.name) as string;
    const { head, between, after, tail } = format.framing;
    const writes: Promise<void>[] = [];
    let text = head;
    const emit = (item: string) => {
      if (counters.count > 0) text += between;
      text += item + after;
      counters.count += 1;
    };
    let next = this.readPage(tenant, format.name, renderKey, '', nowMs);
    for (;;) {
      const { ids, page } = await next;
      if (ids.length === 0) break;
      const more = ids.length >= this.settings.pageSize;
      if (more) next = this.readPage(tenant, format.name, renderKey, ids.at(-1) as string, nowMs);
      const rendered = new Map<string, RenderedEntry>();
      for (const entry of page) {
        if ('cached' in entry) {
          counters.fromCache += 1;
          const { kind, payload } = entry.cached;
          if (kind === 'item') emit(itemText(entry.cached, publishedAt));
          else if (kind === 'excluded')
            exclude(counters.excluded, entry.id, JSON.parse(payload) as string[]);
          continue;
        }
        const found = entry.lookup;
        if (found?.product === undefined) continue;
        if (found.source === 'evaluated') counters.reevaluated += 1;
        const item = format.project({
          product: found.product,
          profile: found.profile,
          // Rendered once with a stand-in, so the text can be kept and reused by later publishes.
          publishedAt: caching ? PUBLISHED_AT : publishedAt,
        });
        // Only what came from a current stored profile is kept: one decided now has no
        // stored profile to be current with.
        const keep = caching && found.source === 'stored' && found.currency !== undefined;
        const remember = (kind: RenderedKind, payload: string) => {
          if (keep) {
            rendered.set(entry.id, {
              currency: found.currency as ProfileCurrency,
              renderKey,
              kind,
              ...(kind === 'item' ? keptText(payload) : { payload, publishedAtOffsets: [] }),
            });
          }
        };
        if (item === null) {
          remember('none', '');
          continue;
        }
        if (item instanceof Excluded) {
          remember('excluded', JSON.stringify(item.reasons));
          exclude(counters.excluded, found.product.id, item.reasons);
          continue;
        }
        const serialized = format.serialize(item);
        remember('item', serialized);
        emit(caching ? serialized.replaceAll(PUBLISHED_AT, publishedAt) : serialized);
      }
      if (rendered.size > 0) writes.push(this.keepRendered(tenant, format.name, rendered));
      if (text.length > 0) yield Buffer.from(text);
      text = '';
      if (!more) break;
    }
    text += tail;
    await Promise.all(writes);
    if (text.length > 0) yield Buffer.from(text);
  }

  /** A failed cache write costs the next publish some work, never this one its file. */
  private async keepRendered(
    tenant: string,
    feed: FeedName,
    rendered: ReadonlyMap<string, RenderedEntry>,
  ): Promise<void> {
    try {
      await this.renderCache?.write(tenant, feed, rendered);
    } catch (error) {
      this.logger.warn({ tenant, feed, err: error }, 'could not keep rendered feed items');
    }
  }

  /**
   * One page of ids after `cursor`: for each, its rendering from the last publish when that is
   * still current, else its current profile in the feed's context (undefined: no such product).
   */
  private readPage(
    tenant: string,
    feed: FeedName,
    renderKey: string,
    cursor: string,
    nowMs: number,
  ): Promise<{ ids: string[]; page: PageEntry[] }> {
    const read = (async () => {
      const catalog = this.catalogOf(tenant);
      const ids = await catalog.productIdsAfter(cursor, this.settings.pageSize);
      if (ids.length === 0) return { ids, page: [] };
      const cache = this.renderCache;
      if (cache === undefined) {
        const lookups = await this.profiles.currentPage(tenant, ids, this.settings.context, nowMs);
        return { ids, page: ids.map((id, i) => ({ id, lookup: lookups[i] })) };
      }
      const [raws, cached, isCurrent] = await Promise.all([
        catalog.getProductsRaw(ids),
        cache.read(tenant, feed, ids),
        this.profiles.currencyTest(tenant),
      ]);
      const page: PageEntry[] = [];
      const missing: number[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const raw = raws[i];
        const entry = cached[i];
        if (raw === null || raw === undefined) {
          if (entry !== undefined) gone.push(id);
          page.push({ id, lookup: undefined });
        } else if (
          entry !== undefined &&
          entry.renderKey === renderKey &&
          isCurrent(raw, entry.currency, nowMs)
        ) {
          page.push({ id, cached: entry });
        } else {
          missing.push(i);
          page.push({ id, lookup: undefined });
        }
      });
      if (missing.length > 0) {
        const lookups = await this.profiles.currentPageOf(
          tenant,
          missing.map((i) => ids[i] as string),
          missing.map((i) => raws[i] as string),
          this.settings.context,
          nowMs,
        );
        missing.forEach((i, k) => {
          page[i] = { id: ids[i] as string, lookup: lookups[k] };
        });
      }
      if (gone.length > 0) await cache.forget(tenant, feed, gone);
      return { ids, page };
    })();
    // A read ahead whose page is never awaited (the sink failed first) must not crash the
    // process as an unhandled rejection; an awaited one still throws to the publish.
    read.catch(() => {});
    return read;
  }

  /** The latest published version, from where this process serves feeds (`FEED_SOURCE`). */
  latest(tenant: string, feed: FeedName): Promise<PublishedFeed | undefined> {
    return this.source.latest(tenant, feed);
  }

  async list(tenant: string): Promise<FeedManifest[]> {
    const found = await Promise.all(this.feedNames.map((feed) => this.source.latest(tenant, feed)));
    return found.flatMap((published) => (published === undefined ? [] : [published.manifest]));
  }
}
