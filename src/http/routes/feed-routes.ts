import { createReadStream } from 'node:fs';
import { z } from 'zod';
import type { FeedPublisher } from '../../../feeds/feed-publisher.js';
import { AppError } from '../../errors/codes.js';
import { FEED_NAMES, type FeedName } from '../../queues/catalog-queues.js';
import { ifNoneMatchHits } from '../if-none-match.js';
import type { App } from '../types.js';

/** Any name, so an unknown feed is a 404 (like any other missing resource), not a 400. */
const NameParams = z.object({ name: z.string().min(1).max(64) });

/**
 * A feed is the tenant's own (bearer auth), so no shared cache may keep it: `private`. Its
 * decisions change on every publish, so a client may keep a copy but must revalidate before
 * each use (`no-cache`); with the ETag that costs a 304 and no bytes while nothing changed.
 */
export const FEED_CACHE_CONTROL = 'private, no-cache';

function feedName(name: string): FeedName {
  if (!(FEED_NAMES as readonly string[]).includes(name))
    throw new AppError('NOT_FOUND', [`feed ${name}`], { feeds: FEED_NAMES });
  return name as FeedName;
}

/** The tenant's published feeds: list, download the latest, publish now. */
export async function feedRoutes(app: App, feeds: FeedPublisher): Promise<void> {
  app.get('/v1/feeds', async (request) => ({ feeds: await feeds.list(request.tenant) }));

  app.get('/v1/feeds/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const name = feedName(request.params.name);
    const latest = await feeds.latest(request.tenant, name);
    if (latest === undefined) throw new AppError('NOT_FOUND', [`published feed ${name}`]);
    const { manifest, path } = latest;
    const etag = `"${manifest.sha256}"`;
    reply
      .header('etag', etag)
      .header('cache-control', FEED_CACHE_CONTROL)
      .header('x-feed-version', manifest.version)
      .header('x-feed-generated-at', manifest.generatedAt);
    // The same validators and cache headers a 200 would carry, and no body (RFC 9110 §15.4.5).
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply
      .header('content-type', manifest.contentType)
      .header('content-length', String(manifest.bytes))
      .header('x-feed-count', String(manifest.count))
      .send(createReadStream(path));
  });

  app.post(
    '/v1/feeds/:name/publish',
    { schema: { params: NameParams } },
    async (request, reply) => {
      const name = feedName(request.params.name);
      const jobId = await feeds.requestPublish(request.tenant, name, 'request', 0);
      return reply.code(202).send({ feed: name, jobId, status: 'queued' });
    },
  );
}
