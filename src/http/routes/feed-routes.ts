import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../errors/codes.js';
import type { CatalogRuntime } from '../../features/catalog-runtime.js';
import { FEED_NAMES, type FeedName } from '../../queues/catalog-queues.js';
import type { App } from '../types.js';

const NameParams = z.object({ name: z.string().min(1).max(64) });

function feedName(name: string): FeedName {
  if (!(FEED_NAMES as readonly string[]).includes(name))
    throw new AppError('NOT_FOUND', [`feed ${name}`]);
  return name as FeedName;
}

/** The tenant's published feeds: list, download the latest, publish now. */
export async function feedRoutes(app: App, runtime: CatalogRuntime): Promise<void> {
  app.get('/v1/feeds', async (request) => ({ feeds: await runtime.feeds.list(request.tenant) }));

  app.get('/v1/feeds/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const name = feedName(request.params.name);
    const latest = await runtime.feeds.latest(request.tenant, name);
    if (latest === undefined) throw new AppError('NOT_FOUND', [`published feed ${name}`]);
    const { manifest, path } = latest;
    return reply
      .header('content-type', manifest.contentType)
      .header('content-length', String(manifest.bytes))
      .header('etag', `"${manifest.sha256}"`)
      .header('x-feed-version', manifest.version)
      .header('x-feed-count', String(manifest.count))
      .header('x-feed-generated-at', manifest.generatedAt)
      .send(createReadStream(path));
  });

  app.post(
    '/v1/feeds/:name/publish',
    { schema: { params: NameParams } },
    async (request, reply) => {
      const name = feedName(request.params.name);
      const jobId = await runtime.feeds.requestPublish(request.tenant, name, 'request', 0);
      return reply.code(202).send({ feed: name, jobId, status: 'queued' });
    },
  );
}
