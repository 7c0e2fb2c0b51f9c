import fastJson from 'fast-json-stringify';
import { z } from 'zod';
import {
  type CommerceAction,
  type CommerceDecision,
  type DecisionResult,
  decisionFor,
  type InventoryFact,
  type ProductActionProfile,
  type ProductFacts,
} from '../src/domain/index.js';
import type { FeedName } from '../src/queues/catalog-queues.js';

/** What a projection sees: the product's facts, its current profile, and the publish time. */
export interface FeedItemInput {
  product: ProductFacts;
  /** current at publish time: re-evaluated by the domain if the stored one was out of date */
  profile: ProductActionProfile;
  publishedAt: string;
}

/**
 * One published feed format. A projection only maps decisions (and the facts they were made
 * from) to fields; it never decides: a field that says "eligible" comes from an `allowed`
 * decision and from nothing else.
 */
export interface FeedFormat<Item = unknown> {
  name: FeedName;
  /** file name after the version, e.g. `jsonl.gz` */
  extension: string;
  contentType: string;
  gzip: boolean;
  /** how items are framed in the file: `head item after (between item after)* tail` */
  framing: { head: string; between: string; after: string; tail: string };
  /** null leaves the product out of this feed */
  project(input: FeedItemInput): Item | null;
  /** the compiled (fast-json-stringify) serializer of one item */
  serialize(item: Item): string;
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

/** The decision of an action in the profile; a missing one reads as blocked, never allowed. */
export function resultOf(profile: ProductActionProfile, action: CommerceAction): DecisionResult {
  return decisionFor(profile, action)?.result ?? 'blocked';
}

export function decisionOf(
  profile: ProductActionProfile,
  action: CommerceAction,
): CommerceDecision | undefined {
  return decisionFor(profile, action);
}

export function isAllowed(profile: ProductActionProfile, action: CommerceAction): boolean {
  return decisionFor(profile, action)?.allowed === true;
}

const INVENTORY_UNKNOWN = new Set(['INVENTORY_STALE', 'INVENTORY_MISSING']);

/**
 * The stock status the add_to_cart decision stands on, or undefined when that decision says the
 * inventory fact is stale or missing: a stale "in stock" is not published as in stock.
 */
export function decidedInventoryStatus(input: FeedItemInput): InventoryFact['status'] | undefined {
  const decision = decisionFor(input.profile, 'add_to_cart');
  if (decision === undefined) return undefined;
  if (decision.blockers.some((b) => b.code === 'OUT_OF_STOCK')) return 'out_of_stock';
  if (decision.blockers.some((b) => INVENTORY_UNKNOWN.has(b.code))) return undefined;
  return input.product.inventory?.status;
}

/** The price the compare decision stands on, or undefined when it says price is stale or missing. */
export function decidedPrice(
  input: FeedItemInput,
): { amount: number; currency: string } | undefined {
  const price = input.product.price;
  if (price === undefined || !isAllowed(input.profile, 'compare')) return undefined;
  return { amount: price.amount, currency: price.currency };
}
