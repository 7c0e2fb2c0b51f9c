import type { EvaluationContext, ProductActionProfile } from '../../domain/index.js';
import type { FeedSummary, OutboxSummary } from './readiness-page.js';

/**
 * Where the readiness page reads from. Every source is the same store the agents' surfaces
 * read: stored profiles, the outbox, the published feeds. The page never evaluates on its own.
 */
export interface ReadinessSources {
  storedProfiles(tenant: string): AsyncIterable<ProductActionProfile>;
  storedProfile(
    tenant: string,
    productId: string,
    context: EvaluationContext,
  ): Promise<ProductActionProfile | undefined>;
  outbox?(tenant: string): Promise<OutboxSummary>;
  feeds?(tenant: string): Promise<FeedSummary[]>;
  /** Resolves false when there is no such dead letter. */
  replayDeadLetter?(tenant: string, id: string): Promise<boolean>;
  /** Resolves false when there is no such feed. */
  publishFeed?(tenant: string, feed: string): Promise<boolean>;
  /** Releases what the sources opened (queues), when the server closes. */
  close?(): Promise<void>;
}
