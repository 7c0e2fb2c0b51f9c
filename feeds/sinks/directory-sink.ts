import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { type FeedManifest, FeedManifestSchema } from './feed-manifest.js';

const MANIFEST = 'manifest.json';

export interface OpenedFeedFile {
  stream: Writable;
  /** After the stream finished: moves the file to its final name, returns that name. */
  complete(): Promise<string>;
  /** Removes the partial file (the publish failed). */
  abort(): Promise<void>;
}

/**
 * Feeds as files: `${root}/${tenant}/${feed}/${version}.${ext}` plus `manifest.json`. Publishing
 * is atomic in two renames: the feed file is written under a `.partial` name and renamed when
 * complete; only then is a new manifest written beside it and renamed over `manifest.json`.
 * A crash at any point leaves the previous manifest naming the previous, complete file.
 */
export class DirectorySink {
  constructor(
    private readonly root: string,
    private readonly keepVersions: number,
  ) {}

  dir(tenant: string, feed: string): string {
    return path.join(this.root, tenant, feed);
  }

  async open(tenant: string, feed: string, file: string): Promise<OpenedFeedFile> {
    const dir = this.dir(tenant, feed);
    await mkdir(dir, { recursive: true });
    const final = path.join(dir, file);
    const partial = `${final}.partial`;
    // flush: fsync before close, so a completed rename never points at unwritten blocks.
    const stream = createWriteStream(partial, { flush: true });
    return {
      stream,
      complete: async () => {
        await rename(partial, final);
        return final;
      },
      abort: async () => {
        stream.destroy();
        await rm(partial, { force: true });
      },
    };
  }

  async swapManifest(tenant: string, manifest: FeedManifest): Promise<void> {
    const dir = this.dir(tenant, manifest.feed);
    const next = path.join(dir, `${MANIFEST}.${manifest.version}.tmp`);
    await writeFile(next, `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
    await rename(next, path.join(dir, MANIFEST));
  }

  async readManifest(tenant: string, feed: string): Promise<FeedManifest | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir(tenant, feed), MANIFEST), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return FeedManifestSchema.parse(JSON.parse(text));
  }

  filePath(tenant: string, manifest: FeedManifest): string {
    return path.join(this.dir(tenant, manifest.feed), manifest.file);
  }

  /**
   * Deletes finished versions beyond the newest `keepVersions` (besides the current one) and the
   * `.partial` leftovers of interrupted publishes. Never the file the manifest names. A
   * publisher holds the feed's publish lock, so no `.partial` here is still being written; a
   * reader copying from the feed store holds no such lock and passes `partials: false`.
   */
  async prune(tenant: string, feed: string, { partials = true } = {}): Promise<void> {
    const current = await this.readManifest(tenant, feed);
    if (current === undefined) return;
    const dir = this.dir(tenant, feed);
    const others = (await readdir(dir)).filter(
      (name) => name !== MANIFEST && name !== current.file && !name.startsWith(`${MANIFEST}.`),
    );
    const partial = partials ? others.filter((name) => name.endsWith('.partial')) : [];
    const finished = others
      .filter((name) => !name.endsWith('.partial'))
      .sort()
      .reverse();
    const doomed = [...partial, ...finished.slice(this.keepVersions)];
    await Promise.all(doomed.map((name) => rm(path.join(dir, name), { force: true })));
  }
}
