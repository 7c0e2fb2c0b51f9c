import type { FeedName } from '../src/queues/catalog-queues.js';
import { acpFeed } from './acp-feed.js';
import { agentFeed } from './agent-feed.js';
import type { FeedFormat } from './feed-format.js';
import { openAiFlatFeed } from './openai-flat-feed.js';

export interface FeedFormatOptions {
  sellerName?: string;
}

/** Every published feed format, by name. */
export function feedFormats(options: FeedFormatOptions = {}): Record<FeedName, FeedFormat> {
  return {
    agent: agentFeed as FeedFormat,
    acp: acpFeed(options.sellerName) as FeedFormat,
    'openai-flat': openAiFlatFeed(options.sellerName) as FeedFormat,
  };
}
