import { createReadStream } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FeedPages } from '../../../feeds/feed-pages.js';
import type { FeedPublisher } from '../../../feeds/feed-publisher.js';
import {
  ACP_FEED_ID,
  decodeFeedCursor,
  encodeFeedCursor,
  feedMetadataOf,
} from '../../adapters/acp/feed-resource.js';
import type { Config } from '../../config.js';
import { ifNoneMatchHits } from '../if-none-match.js';
import { publicBaseUrl } from '../public-base-url.js';
import { FEED_CACHE_CONTROL } from '../routes/feed-routes.js';
import type { App } from '../types.js';
import { AcpFailure, invalidRequest } from './acp-error.js';
import { acpCallerOf } from './acp-guard.js';

export interface AcpFeedDeps {
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT'>;
  feeds: FeedPublisher;
  pages: FeedPages;
  /** The seller's target markets (FEED_TARGET_COUNTRIES), for `target_country`. */
  targetCountries: readonly string[] | undefined;
}

/** Products per page when a page is asked for without `limit`. */
export const DEFAULT_FEED_PAGE = 100;
export const MAX_FEED_PAGE = 1_000;

const FeedParams = z.object({ id: z.string().min(1).max(64) });
const ProductsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_FEED_PAGE).optional(),
  cursor: z.string().min(1).max(1_024).optional(),
});

/** The spec's 404 (openapi.feed.yaml `not_found` example), for unknown and unpublished feeds. */
const feedNotFound = () => invalidRequest(404, 'feed_not_found', 'Feed not found', 'id');

/**
 * The spec's writes (createFeed, upsertFeedProducts) are how a merchant pushes a feed to a
 * platform; here the feed is published from the domain's decisions, so the resource is read-only
 * and a write is told so rather than 404.
 */
function readOnly(): AcpFailure {
  const failure = invalidRequest(
    405,
    'method_not_allowed',
    'This feed is published from the merchant catalog and is read-only: use GET',
  );
  return new AcpFailure(failure.statusCode, failure.body, { allow: 'GET' });
}

/**
 * The ACP Feed API, read side (openapi.feed.yaml, 2026-04-17): `GET /feeds/{id}` (getFeed) and
 * `GET /feeds/{id}/products` (getFeedProducts) over the tenant's published acp feed, plus
 * `GET /feeds` listing it (not in the spec, which has only `POST /feeds`). Without `limit` or
 * `cursor` the products answer is the whole published file, as the spec defines it; with either
 * it is one page, the next one linked by `Link: <…>; rel="next"`.
 */
export async function acpFeedRoutes(app: App, deps: AcpFeedDeps): Promise<void> {
  const published = async (tenant: string, id: string) => {
    if (id !== ACP_FEED_ID) throw feedNotFound();
    const latest = await deps.feeds.latest(tenant, ACP_FEED_ID);
    if (latest === undefined) throw feedNotFound();
    return latest;
  };
  const validators = (reply: FastifyReply, etag: string) =>
    reply.header('etag', etag).header('cache-control', FEED_CACHE_CONTROL);

  app.get('/feeds', async (request) => {
    const latest = await deps.feeds.latest(acpCallerOf(request).tenant, ACP_FEED_ID);
    return {
      feeds: latest === undefined ? [] : [feedMetadataOf(latest.manifest, deps.targetCountries)],
    };
  });

  app.get('/feeds/:id', { schema: { params: FeedParams } }, async (request, reply) => {
    const { manifest } = await published(acpCallerOf(request).tenant, request.params.id);
    const etag = `"${manifest.sha256}"`;
    validators(reply, etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return feedMetadataOf(manifest, deps.targetCountries);
  });

  app.get(
    '/feeds/:id/products',
    { schema: { params: FeedParams, querystring: ProductsQuery } },
    async (request, reply) => {
      const tenant = acpCallerOf(request).tenant;
      const { id } = request.params;
      const { limit, cursor } = request.query;
      if (limit === undefined && cursor === undefined) {
        const { manifest, path } = await published(tenant, id);
        const etag = `"${manifest.sha256}"`;
        validators(reply, etag);
        if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
        return reply
          .header('content-type', manifest.contentType)
          .header('content-length', String(manifest.bytes))
          .send(createReadStream(path));
      }
      const after = cursor === undefined ? undefined : decodeFeedCursor(cursor);
      if (cursor !== undefined && after === undefined)
        throw invalidRequest(
          400,
          'invalid_cursor',
          'cursor is not one this server issued',
          'cursor',
        );
      if (id !== ACP_FEED_ID) throw feedNotFound();
      const size = limit ?? DEFAULT_FEED_PAGE;
      const page = await deps.pages.page(tenant, ACP_FEED_ID, after, size);
      if (page === undefined) throw feedNotFound();
      // A page is its version's items from a position on: the same three say the same bytes.
      const etag = `"${page.manifest.sha256}.${page.start}.${page.count}"`;
      validators(reply, etag);
      if (page.nextAfter !== undefined) {
        const next = new URL(
          `${publicBaseUrl(deps.config, request)}/feeds/${ACP_FEED_ID}/products`,
        );
        next.searchParams.set('limit', String(size));
        next.searchParams.set('cursor', encodeFeedCursor(page.nextAfter));
        reply.header('link', `<${next.toString()}>; rel="next"`);
      }
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.header('content-type', 'application/json; charset=utf-8').send(page.body);
    },
  );

  app.post('/feeds', async () => {
    throw readOnly();
  });
  app.patch('/feeds/:id/products', async () => {
    throw readOnly();
  });
}
