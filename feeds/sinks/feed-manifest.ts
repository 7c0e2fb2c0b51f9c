import { z } from 'zod';
import { EvaluationContextSchema } from '../../src/domain/index.js';
import { FeedNameSchema } from '../../src/queues/catalog-queues.js';

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
});
export type FeedManifest = z.infer<typeof FeedManifestSchema>;
