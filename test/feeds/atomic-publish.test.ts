import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FeedPublisher } from '../../feeds/feed-publisher.js';
import { feedFormats } from '../../feeds/formats.js';
import { DirectorySink } from '../../feeds/sinks/directory-sink.js';
import type { FeedManifest } from '../../feeds/sinks/feed-manifest.js';
import { catalogFeature } from '../../src/app/catalog.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { buildApp } from '../../src/http/app.js';
import { FeedLockStore } from '../../src/store/feed-lock-store.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
  TENANT_TOKEN,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

/** A sink that "crashes" (throws) after the feed file is complete, before the manifest swap. */
class CrashBeforeManifest extends DirectorySink {
  override async swapManifest(_tenant: string, _manifest: FeedManifest): Promise<void> {
    throw new Error('simulated crash between the feed file and the manifest');
  }
}

/**
 * A catalog context of the test's own (key prefix, feed directory): ATOM-1 published to the
 * agent feed, then ATOM-2 added but not yet published.
 */
async function publishedThenChanged() {
  const t = await catalogTestContext();
  const app = await buildApp(t.ctx, [catalogFeature, feedsFeature]);
  onTestFinished(async () => {
    await app.close();
    await t.close();
  });
  for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
  const catalog = t.runtime.storesOf(TENANT).catalog;
  await catalog.putProducts([readyProduct('ATOM-1', t.ctx.clock.nowMs())]);
  const previous = (await t.runtime.feeds.publish(TENANT, 'agent')).manifest!;
  await catalog.putProducts([readyProduct('ATOM-2', t.ctx.clock.nowMs())]);
  return { t, app, previous };
}

function publisherWith(
  t: CatalogTestContext,
  sink: DirectorySink,
  formats = feedFormats(),
  pageSize = 100,
): FeedPublisher {
  return new FeedPublisher(
    { context: t.ctx.config.FEED_CONTEXT, pageSize, debounceMs: 0, lockTtlMs: 60_000 },
    formats,
    (tenant) => t.runtime.storesOf(tenant).catalog,
    t.runtime.profiles,
    sink,
    undefined,
    new FeedLockStore(t.ctx.redis, t.ctx.config.KEY_PREFIX),
    t.runtime.queues.publishFeed,
    t.ctx.clock,
    t.ctx.logger,
  );
}

async function crashBeforeManifest(t: CatalogTestContext): Promise<void> {
  const crashing = publisherWith(t, new CrashBeforeManifest(t.ctx.config.FEED_DIR, 3));
  await expect(crashing.publish(TENANT, 'agent')).rejects.toThrow(/simulated crash/);
}

describe('atomic feed publishing', () => {
  describe('when the process dies between writing a feed file and the manifest', () => {
    it('keeps serving the previous feed, byte for byte', async () => {
      const { t, app, previous } = await publishedThenChanged();
      await crashBeforeManifest(t);

      const files = await readdir(`${t.feedDir}/${TENANT}/agent`);
      expect(files.filter((name) => name.endsWith('.jsonl'))).toHaveLength(2);

      const res = await app.inject({
        method: 'GET',
        url: '/v1/feeds/agent',
        headers: { authorization: `Bearer ${TENANT_TOKEN}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-feed-version']).toBe(previous.version);
      expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(previous.sha256);
      expect(res.body.trim().split('\n')).toHaveLength(1);
    });
  });

  describe('when writing the feed file fails midway', () => {
    it('removes the partial file and leaves the manifest alone', async () => {
      const { t, previous } = await publishedThenChanged();
      const formats = feedFormats();
      // One product per page and a projection that fails on the second: the first page's bytes
      // are already in the partial file when the stream errors.
      let calls = 0;
      const failing = publisherWith(
        t,
        new DirectorySink(t.ctx.config.FEED_DIR, 3),
        {
          ...formats,
          agent: {
            ...formats.agent,
            project: (input) => {
              calls += 1;
              if (calls === 2) throw new Error('projection failed');
              return formats.agent.project(input);
            },
          },
        },
        1,
      );
      await expect(failing.publish(TENANT, 'agent')).rejects.toThrow(/projection failed/);
      const files = await readdir(`${t.feedDir}/${TENANT}/agent`);
      expect(files.some((name) => name.endsWith('.partial'))).toBe(false);
      const after = await t.runtime.feeds.latest(TENANT, 'agent');
      expect(after?.manifest).toEqual(previous);
    });
  });

  describe('after a crash, the next successful publish', () => {
    it('swaps in the new version, with both products', async () => {
      const { t, previous } = await publishedThenChanged();
      await crashBeforeManifest(t);
      const next = await t.runtime.feeds.publish(TENANT, 'agent');
      const latest = await t.runtime.feeds.latest(TENANT, 'agent');
      expect(latest?.manifest.version).toBe(next.manifest?.version);
      expect(latest?.manifest.version).not.toBe(previous.version);
      expect((await readFile(latest!.path, 'utf8')).trim().split('\n')).toHaveLength(2);
    });
  });
});
