import { z } from 'zod';
import { EvaluationContextSchema } from '../../src/domain/index.js';
import { FeedNameSchema } from '../../src/queues/catalog-queues.js';

/** How many products the feed left out as incomplete, at most this many named. */
export const EXCLUDED_IDS_LISTED = 20;

/**
 * Products a feed left out because their listing misses what the feed requires: how many, how
 * often each reason occurred (a product missing two fields counts under both), and the first
 * few ids in catalog order, so an operator can go and fix them.
 */
export const FeedExclusionsSchema = z.object({
  count: z.number().int().nonnegative(),
  reasons: z.record(z.string(), z.number().int().positive()),
  productIds: z.array(z.string()).max(EXCLUDED_IDS_LISTED),
});
export type FeedExclusions = z.infer<typeof FeedExclusionsSchema>;

/**
 * `manifest.json`, written after the feed file it names and swapped in by rename: whoever reads
 * the manifest finds a complete file with exactly these bytes.
 */
export const FeedManifestSchema = z.object({
  feed: FeedNameSchema,
  version: z.string(),
  generatedAt: z.string(),
  /** items in the file */
  count: z.number().int().nonnegative(),
  /** of the file's bytes as stored (compressed, for a gzip feed) */
  sha256: z.string(),
  bytes: z.number().int().nonnegative(),
  /** file name next to the manifest */
  file: z.string(),
  contentType: z.string(),
  /** the context whose decisions the feed publishes */
  context: EvaluationContextSchema,
  /** left out as incomplete; absent in manifests written before feeds could exclude */
  excluded: FeedExclusionsSchema.optional(),
});
export type FeedManifest = z.infer<typeof FeedManifestSchema>;
