import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { EvaluationContext } from '../../domain/index.js';
import { contextArgument } from './context-arguments.js';

/**
 * The resources this server offers, as URIs an MCP client reads:
 * - `product://{id}/profile?context=REGION:BUYER_TYPE:CHANNEL`: a product's decisions in one
 *   context, exactly as get_product_readiness answers them (the context's parts after the region
 *   may be left out and default as the tool's do; so may the whole query);
 * - `feed://{name}`: the manifest of the latest published feed of that format.
 * Product ids are percent-encoded in the URI (an id may hold `:`).
 */
const JSON_MIME = 'application/json';

export const RESOURCE_TEMPLATES: readonly ResourceTemplate[] = [
  {
    uriTemplate: 'product://{id}/profile{?context}',
    name: 'product_profile',
    title: 'Product readiness profile',
    description:
      "A product's decisions in one market and buyer context (discover, compare, quote_policy " +
      'per policy domain, add_to_cart, prepare_checkout, delegate_payment), each with its ' +
      'blockers and validUntil, as get_product_readiness answers. context is ' +
      'REGION:BUYER_TYPE:CHANNEL, e.g. EU:consumer:agent; parts left out take their defaults.',
    mimeType: JSON_MIME,
  },
  {
    uriTemplate: 'feed://{name}',
    name: 'feed_manifest',
    title: 'Published feed manifest',
    description:
      'The manifest of the latest published product feed of one format (agent, acp or ' +
      'openai-flat): its version, when it was generated, how many products it lists and which ' +
      'it left out, and the sha256 of the file served at GET /v1/feeds/{name}.',
    mimeType: JSON_MIME,
  },
];

export type ResourceAddress =
  | { kind: 'product'; productId: string; context: EvaluationContext }
  | { kind: 'feed'; name: string };

/** A URI this server can never answer (another scheme or shape). */
export class UnknownResourceUri extends Error {}
/** A product URI whose context is not one the server answers for: the problems, by path. */
export class InvalidResourceContext extends Error {}

export function contextParameter(context: EvaluationContext): string {
  return `${context.region}:${context.buyerType}:${context.channel}`;
}

export function productProfileUri(productId: string, context: EvaluationContext): string {
  return `product://${encodeURIComponent(productId)}/profile?context=${contextParameter(context)}`;
}

export function feedUri(name: string): string {
  return `feed://${name}`;
}

const PRODUCT_URI = /^product:\/\/([^/?#]+)\/profile(?:\?([^#]*))?$/;
const FEED_URI = /^feed:\/\/([^/?#]+)\/?$/;

/** Reads a resource URI into what it addresses; throws the two errors above. */
export function parseResourceUri(
  uri: string,
  regions: readonly [string, ...string[]],
): ResourceAddress {
  const feed = FEED_URI.exec(uri);
  if (feed !== null) return { kind: 'feed', name: decodeURIComponent(feed[1] as string) };
  const product = PRODUCT_URI.exec(uri);
  if (product === null) throw new UnknownResourceUri(uri);
  let productId: string;
  try {
    productId = decodeURIComponent(product[1] as string);
  } catch {
    throw new UnknownResourceUri(uri);
  }
  const query = new URLSearchParams(product[2] ?? '');
  const unknown = [...query.keys()].filter((key) => key !== 'context');
  if (unknown.length > 0)
    throw new InvalidResourceContext(
      `Invalid resource URI:\n${unknown.map((key) => `- ${key}: unknown parameter (only context)`).join('\n')}`,
    );
  const parts = (query.get('context') ?? '').split(':');
  if (parts.length > 3)
    throw new InvalidResourceContext(
      'Invalid resource URI:\n- context: REGION:BUYER_TYPE:CHANNEL, three parts at most',
    );
  const [region, buyerType, channel] = parts.map((part) => (part === '' ? undefined : part));
  const parsed = contextArgument(regions).safeParse({ region, buyerType, channel });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `- context.${issue.path.join('.')}: ${issue.message}`,
    );
    throw new InvalidResourceContext(`Invalid resource URI:\n${problems.join('\n')}`);
  }
  return { kind: 'product', productId, context: parsed.data };
}

/** A product's profile resource as resources/list names it. */
export function productResource(
  productId: string,
  title: string,
  context: EvaluationContext,
): Resource {
  return {
    uri: productProfileUri(productId, context),
    name: productId,
    title: `${title}: readiness (${contextParameter(context)})`,
    mimeType: JSON_MIME,
  };
}

export function feedResource(manifest: {
  feed: string;
  version: string;
  generatedAt: string;
  count: number;
}): Resource {
  return {
    uri: feedUri(manifest.feed),
    name: `feed_${manifest.feed}`,
    title: `${manifest.feed} feed manifest`,
    description: `Version ${manifest.version} of the ${manifest.feed} feed, generated ${manifest.generatedAt}, ${manifest.count} products.`,
    mimeType: JSON_MIME,
  };
}

/** The one content of a resource read: JSON text, as a client parses it. */
export function jsonContents(uri: string, value: unknown) {
  return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value) }] };
}
