import { stat } from 'node:fs/promises';
import { AppError } from '../../src/errors/codes.js';
import type { Logger } from '../../src/logger.js';
import type { FeedName } from '../../src/queues/catalog-queues.js';
import type { FeedSource, PublishedFeed } from '../feed-source.js';
import type { DirectorySink, OpenedFeedFile } from './directory-sink.js';
import type { FeedManifest } from './feed-manifest.js';
import type { HttpSinkReader } from './http-sink-reader.js';

/**
 * `FEED_SOURCE=sink`: the feed store behind `FEED_SINK_URL` is the truth of what is published,
 * so an ingress on another machine than the workers serves what they uploaded without a
 * shared volume. Every read asks the store for the manifest; the file it names is copied once
 * into this machine's `FEED_DIR` (checked against the manifest's length and sha256, swapped
 * in by rename like a publish) and served from there, pages and ranges included.
 *
 * When the store cannot be reached, or its file does not match its manifest, the last copy kept
 * here is served (and logged): an agent gets the feed it could have had a moment ago rather
 * than an error; with no copy kept, the answer is 503.
 */
export class SinkMirrorSource implements FeedSource {
  /** One copy at a time per feed, so pruning never removes a file another copy is writing. */
  private readonly lanes = new Map<string, Promise<void>>();

  constructor(
    private readonly reader: HttpSinkReader,
    private readonly local: DirectorySink,
    private readonly logger: Logger,
  ) {}

  async latest(tenant: string, feed: FeedName): Promise<PublishedFeed | undefined> {
    let manifest: FeedManifest | undefined;
    try {
      manifest = await this.reader.readManifest(tenant, feed);
    } catch (error) {
      return this.keptCopy(tenant, feed, error);
    }
    if (manifest === undefined) return undefined;
    const path = this.local.filePath(tenant, manifest);
    if (!(await holds(path, manifest.bytes))) {
      try {
        await this.inLane(tenant, manifest);
      } catch (error) {
        return this.keptCopy(tenant, feed, error);
      }
    }
    return { manifest, path };
  }

  private async keptCopy(tenant: string, feed: FeedName, error: unknown): Promise<PublishedFeed> {
    const kept = await this.local.readManifest(tenant, feed);
    if (kept === undefined || !(await holds(this.local.filePath(tenant, kept), kept.bytes)))
      throw new AppError('BACKEND_UNAVAILABLE', ['the feed store']);
    this.logger.warn(
      { err: error, tenant, feed, version: kept.version },
      'feed store failed: serving the copy kept here',
    );
    return { manifest: kept, path: this.local.filePath(tenant, kept) };
  }

  private inLane(tenant: string, manifest: FeedManifest): Promise<void> {
    const lane = `${tenant}\u0000${manifest.feed}`;
    const ahead = this.lanes.get(lane) ?? Promise.resolve();
    const copy = ahead.catch(() => {}).then(() => this.copy(tenant, manifest));
    this.lanes.set(lane, copy);
    const done = () => {
      if (this.lanes.get(lane) === copy) this.lanes.delete(lane);
    };
    copy.then(done, done);
    return copy;
  }

  private async copy(tenant: string, manifest: FeedManifest): Promise<void> {
    // A request ahead in the lane may have copied this very version.
    if (await holds(this.local.filePath(tenant, manifest), manifest.bytes)) return;
    let opened: OpenedFeedFile | undefined;
    try {
      await this.reader.download(tenant, manifest, async () => {
        await opened?.abort();
        opened = await this.local.open(tenant, manifest.feed, manifest.file);
        return opened.stream;
      });
    } catch (error) {
      await opened?.abort();
      throw error;
    }
    await (opened as OpenedFeedFile).complete();
    // The local manifest is the fallback when the store is unreachable: never move it back.
    const kept = await this.local.readManifest(tenant, manifest.feed);
    if (kept === undefined || kept.version < manifest.version) {
      await this.local.swapManifest(tenant, manifest);
      // A publisher may share this FEED_DIR (ROLE=all): its `.partial` files are not ours.
      await this.local.prune(tenant, manifest.feed, { partials: false });
    }
    this.logger.info(
      { tenant, feed: manifest.feed, version: manifest.version, bytes: manifest.bytes },
      'feed copied from the feed store',
    );
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

/** The file exists with the expected length (it only gets its name once complete and checked). */
async function holds(path: string, bytes: number): Promise<boolean> {
  try {
    return (await stat(path)).size === bytes;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
