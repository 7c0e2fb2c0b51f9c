import type { ListingSeller } from '../src/domain/index.js';
import type { FeedName } from '../src/queues/catalog-queues.js';
import { acpFeed } from './acp-feed.js';
import { agentFeed } from './agent-feed.js';
import type { FeedFormat } from './feed-format.js';
import { openAiFlatFeed } from './openai-flat-feed.js';

export interface FeedFormatOptions {
  /** the merchant's details the feeds name (FEED_SELLER_*, FEED_STORE_COUNTRY, …) */
  seller?: ListingSeller;
}

/** Every published feed format, by name. */
export function feedFormats(options: FeedFormatOptions = {}): Record<FeedName, FeedFormat> {
  const seller = options.seller ?? {};
  return {
    agent: agentFeed as FeedFormat,
    acp: acpFeed(seller.name) as FeedFormat,
    'openai-flat': openAiFlatFeed(seller) as FeedFormat,
  };
}
