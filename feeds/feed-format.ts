import fastJson from 'fast-json-stringify';
import { z } from 'zod';
import type { ProductActionProfile, ProductFacts } from '../src/domain/index.js';
import type { FeedName } from '../src/queues/catalog-queues.js';

/** What a projection sees: the product's facts, its current profile, and the publish time. */
export interface FeedItemInput {
  product: ProductFacts;
  /** current at publish time: re-evaluated by the domain if the stored one was out of date */
  profile: ProductActionProfile;
  publishedAt: string;
}

/**
 * One published feed format. A projection only maps what the domain's named projections say
 * (src/domain/projections.ts, listing.ts) to its fields; it never decides, and never reads a
 * result or a blocker code to work something out: a field that says "eligible" is
 * `searchEligible` or `checkoutEligible` and nothing else.
 */
export interface FeedFormat<Item = unknown> {
  name: FeedName;
  /** file name after the version, e.g. `jsonl.gz` */
  extension: string;
  contentType: string;
  gzip: boolean;
  /** how items are framed in the file: `head item after (between item after)* tail` */
  framing: { head: string; between: string; after: string; tail: string };
  /**
   * null: the product is not for this feed (e.g. not discoverable); Excluded: it belongs in it
   * but misses what the feed requires, so it is left out and counted in the manifest.
   */
  project(input: FeedItemInput): Item | null | Excluded;
  /** the compiled (fast-json-stringify) serializer of one item */
  serialize(item: Item): string;
}

/** A product the feed leaves out because the domain found its listing incomplete. */
export class Excluded {
  /** why, as the feed names its fields: `missing_image_url`, … */
  constructor(readonly reasons: readonly string[]) {}
}

/**
 * Compiles a zod item schema (the single source of the item's type) into a fast-json-stringify
 * serializer. OpenAPI 3.0 output expresses nullable fields as `nullable: true`, which
 * fast-json-stringify serializes without the slow anyOf path.
 */
export function compileItemSerializer<Schema extends z.ZodType>(
  schema: Schema,
): (item: z.infer<Schema>) => string {
  const jsonSchema = z.toJSONSchema(schema, { target: 'openapi-3.0' });
  return fastJson(jsonSchema as Parameters<typeof fastJson>[0]) as (
    item: z.infer<Schema>,
  ) => string;
}
