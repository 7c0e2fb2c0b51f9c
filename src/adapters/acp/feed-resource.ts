/**
 * The published acp feed as the ACP Feed API's resource (spec 2026-04-17, openapi.feed.yaml):
 * its `FeedMetadata` and the paging cursor of `GET /feeds/{id}/products`. The spec pages nothing
 * (ProductsResponse is "the full current product set", additionalProperties false), so a page is
 * a ProductsResponse with fewer products and the way on is a `Link: <…>; rel="next"` header
 * (RFC 8288), leaving the body exactly the spec's.
 */

/** The one feed resource a tenant has: the published `acp` feed, under its feed name. */
export const ACP_FEED_ID = 'acp';

/** `$defs/FeedMetadata`. */
export interface AcpFeedMetadata {
  id: string;
  target_country?: string;
  updated_at?: string;
}

export interface PublishedFeed {
  feed: string;
  /** When the version being served was published (ISO 8601). */
  generatedAt: string;
}

/**
 * `target_country` is one market: said only when the seller targets exactly one country
 * (FEED_TARGET_COUNTRIES); a feed for several markets leaves it out, as the spec allows.
 */
export function feedMetadataOf(
  published: PublishedFeed,
  targetCountries: readonly string[] | undefined,
): AcpFeedMetadata {
  const metadata: AcpFeedMetadata = { id: published.feed, updated_at: published.generatedAt };
  if (targetCountries?.length === 1) metadata.target_country = targetCountries[0] as string;
  return metadata;
}

const CURSOR_PREFIX = 'p1.';

/** An opaque cursor: the last product id of the page it ends. */
export function encodeFeedCursor(afterId: string): string {
  return CURSOR_PREFIX + Buffer.from(afterId).toString('base64url');
}

/** The product id to continue after, or undefined when this server did not issue `cursor`. */
export function decodeFeedCursor(cursor: string): string | undefined {
  if (!cursor.startsWith(CURSOR_PREFIX)) return undefined;
  const id = Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8');
  return id.length > 0 && encodeFeedCursor(id) === cursor ? id : undefined;
}
