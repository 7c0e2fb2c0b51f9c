import type { FeedName } from '../src/queues/catalog-queues.js';
import type { DirectorySink } from './sinks/directory-sink.js';
import type { FeedManifest } from './sinks/feed-manifest.js';

/** The latest published version of a feed: its manifest and a local file with its bytes. */
export interface PublishedFeed {
  manifest: FeedManifest;
  path: string;
}

/** Where the ingress reads published feeds from (`FEED_SOURCE`). */
export interface FeedSource {
  latest(tenant: string, feed: FeedName): Promise<PublishedFeed | undefined>;
  close?(): Promise<void>;
}

/** `FEED_SOURCE=directory`: the directory the publisher writes to, on this machine. */
export class DirectoryFeedSource implements FeedSource {
  constructor(private readonly sink: DirectorySink) {}

  async latest(tenant: string, feed: FeedName): Promise<PublishedFeed | undefined> {
    const manifest = await this.sink.readManifest(tenant, feed);
    if (manifest === undefined) return undefined;
    return { manifest, path: this.sink.filePath(tenant, manifest) };
  }
}
