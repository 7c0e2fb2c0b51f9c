import { open } from 'node:fs/promises';
import type { FeedName } from '../src/queues/catalog-queues.js';
import { type FeedItemIndex, firstAfter, indexFeedItems } from './feed-item-index.js';
import type { FeedPublisher } from './feed-publisher.js';
import type { FeedManifest } from './sinks/feed-manifest.js';

/** One page of a published JSON feed, framed as the whole file is. */
export interface FeedPage {
  manifest: FeedManifest;
  /** `{"products":[…]}` with this page's items, bytes as published. */
  body: Buffer;
  /** Position of the page's first item in the published file. */
  start: number;
  count: number;
  /** Id of the page's last item when more follow: where the next page starts after. */
  nextAfter?: string;
}

/**
 * Pages of the latest published version of a JSON-array feed (acp). The item index of a version
 * is built on its first page request and kept for the few newest versions, so a platform paging
 * through a large feed costs one scan per published version and one read per page. Pages go by
 * product id, not position: a walk that spans a publish carries on in the new version after
 * the last id it saw, each product once.
 */
export class FeedPages {
  private readonly indexes = new Map<string, Promise<FeedItemIndex>>();

  constructor(
    private readonly feeds: FeedPublisher,
    /** Versions whose index is kept (tenants × feeds × versions in flight). */
    private readonly keep = 8,
  ) {}

  async page(
    tenant: string,
    feed: FeedName,
    after: string | undefined,
    limit: number,
  ): Promise<FeedPage | undefined> {
    const latest = await this.feeds.latest(tenant, feed);
    if (latest === undefined) return undefined;
    const { manifest, path } = latest;
    const index = await this.indexOf(`${tenant}\u0000${feed}\u0000${manifest.version}`, path);
    const start = after === undefined ? 0 : firstAfter(index.ids, after);
    const end = Math.min(start + limit, index.ids.length);
    const head = Buffer.from('{"products":[');
    const tail = Buffer.from(']}');
    let items = Buffer.alloc(0);
    if (end > start) {
      const from = index.starts[start] as number;
      items = Buffer.alloc((index.ends[end - 1] as number) - from);
      const file = await open(path, 'r');
      try {
        await file.read(items, 0, items.length, from);
      } finally {
        await file.close();
      }
    }
    const page: FeedPage = {
      manifest,
      body: Buffer.concat([head, items, tail]),
      start,
      count: end - start,
    };
    if (end < index.ids.length && end > start) page.nextAfter = index.ids[end - 1] as string;
    return page;
  }

  private indexOf(key: string, path: string): Promise<FeedItemIndex> {
    let found = this.indexes.get(key);
    if (found === undefined) {
      found = indexFeedItems(path);
      // A failed scan (the file pruned under us) is not kept: the next request scans again.
      found.catch(() => this.indexes.delete(key));
      this.indexes.set(key, found);
      while (this.indexes.size > this.keep) {
        const oldest = this.indexes.keys().next().value as string;
        this.indexes.delete(oldest);
      }
    } else {
      // Most recently used last, so the oldest unused version leaves first.
      this.indexes.delete(key);
      this.indexes.set(key, found);
    }
    return found;
  }
}
