import type {
  EmptyResult,
  ListResourcesResult,
  ListResourceTemplatesResult,
  ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { FeedPublisher } from '../../../feeds/feed-publisher.js';
import { contextArgument } from '../../adapters/mcp/context-arguments.js';
import { decodeCursor, encodeCursor } from '../../adapters/mcp/cursor.js';
import { ProfileOutputSchema, profileOutput } from '../../adapters/mcp/decision-output.js';
import { invalidParams, invalidRequest, resourceNotFound } from '../../adapters/mcp/errors.js';
import {
  feedResource,
  InvalidResourceContext,
  jsonContents,
  parseResourceUri,
  productResource,
  RESOURCE_TEMPLATES,
  type ResourceAddress,
  UnknownResourceUri,
} from '../../adapters/mcp/resources.js';
import type { EvaluationContext } from '../../domain/index.js';
import { FeedNameSchema } from '../../queues/catalog-queues.js';
import type { ProductSearch } from '../../services/product-search.js';
import type { ProfileService } from '../../services/profile-service.js';
import type { LiveWatches } from '../../services/subscriptions/live-watches.js';
import type { McpCaller } from './tool-runner.js';

/** Product resources per resources/list page. */
export const RESOURCES_PAGE_SIZE = 50;

export interface ResourceSetDeps {
  regions: readonly [string, ...string[]];
  profiles: ProfileService;
  search: ProductSearch;
  feeds: FeedPublisher;
  /** the sessions resources/subscribe records watches in */
  watches: LiveWatches;
}

/**
 * The server's resources for one tenant's caller: the templates (constant), a paged list (the
 * published feed manifests, then every product agents may discover, in the default context,
 * in id order) and reads. A URI that names nothing this tenant has is -32002, never a 500.
 */
export class ResourceSet {
  readonly templates: ListResourceTemplatesResult;
  private readonly listContext: EvaluationContext;

  constructor(private readonly deps: ResourceSetDeps) {
    this.templates = { resourceTemplates: [...RESOURCE_TEMPLATES] };
    this.listContext = contextArgument(deps.regions).parse({});
  }

  async list(cursor: string | undefined, caller: McpCaller): Promise<ListResourcesResult> {
    const after = cursor === undefined ? '' : decodeCursor('resources', cursor);
    if (after === undefined)
      throw invalidParams('Invalid cursor: not a nextCursor of resources/list');
    const [manifests, page] = await Promise.all([
      after === '' ? this.deps.feeds.list(caller.tenant) : [],
      this.deps.search.search(caller.tenant, {
        context: this.listContext,
        after,
        limit: RESOURCES_PAGE_SIZE,
      }),
    ]);
    return {
      resources: [
        ...manifests.map(feedResource),
        ...page.hits.map((hit) =>
          productResource(hit.product.id, hit.product.title, this.listContext),
        ),
      ],
      ...(page.next === undefined ? {} : { nextCursor: encodeCursor('resources', page.next) }),
    };
  }

  async read(uri: string, caller: McpCaller): Promise<ReadResourceResult> {
    const address = this.addressOf(uri);
    if (address.kind === 'feed') {
      const name = FeedNameSchema.safeParse(address.name);
      if (!name.success) throw resourceNotFound(uri, `no feed named ${address.name}`);
      const latest = await this.deps.feeds.latest(caller.tenant, name.data);
      if (latest === undefined)
        throw resourceNotFound(uri, `the ${name.data} feed has not been published yet`);
      return jsonContents(uri, latest.manifest);
    }
    const found = await this.deps.profiles.lookup(
      caller.tenant,
      address.productId,
      address.context,
    );
    if (found.source === 'unknown') throw resourceNotFound(uri, `no product ${address.productId}`);
    return jsonContents(uri, ProfileOutputSchema.parse(profileOutput(found.profile, true)));
  }

  /**
   * resources/subscribe: the session hears notifications/resources/updated with this URI each
   * time the product's profile in that context changes (a decision's result, blockers, evidence
   * or validUntil), while its GET stream is open. Product profiles only: a feed manifest changes
   * on a schedule the client already knows.
   */
  async subscribe(uri: string, caller: McpCaller): Promise<EmptyResult> {
    const sessionId = sessionOf(caller);
    const address = this.productAddressOf(uri);
    const found = await this.deps.profiles.lookup(
      caller.tenant,
      address.productId,
      address.context,
    );
    if (found.source === 'unknown') throw resourceNotFound(uri, `no product ${address.productId}`);
    const watched = await this.deps.watches.watch(caller.tenant, sessionId, caller.callerId, {
      productId: address.productId,
      context: address.context,
      uri,
    });
    if (!watched) throw sessionEnded();
    return {};
  }

  /** resources/unsubscribe: unsubscribing what the session does not watch is not an error. */
  async unsubscribe(uri: string, caller: McpCaller): Promise<EmptyResult> {
    const sessionId = sessionOf(caller);
    const address = this.productAddressOf(uri);
    const found = await this.deps.watches.unwatch(
      caller.tenant,
      sessionId,
      caller.callerId,
      address,
    );
    if (!found) throw sessionEnded();
    return {};
  }

  private addressOf(uri: string): ResourceAddress {
    try {
      return parseResourceUri(uri, this.deps.regions);
    } catch (error) {
      if (error instanceof UnknownResourceUri)
        throw resourceNotFound(uri, 'this server serves product://{id}/profile and feed://{name}');
      if (error instanceof InvalidResourceContext) throw invalidParams(error.message);
      throw error;
    }
  }

  private productAddressOf(uri: string): Extract<ResourceAddress, { kind: 'product' }> {
    const address = this.addressOf(uri);
    if (address.kind !== 'product')
      throw invalidParams(
        'Only product://{id}/profile resources can be subscribed; a feed manifest changes when the feed is published (see its generatedAt)',
      );
    return address;
  }
}

function sessionOf(caller: McpCaller): string {
  if (caller.sessionId === undefined)
    throw invalidRequest(
      'resources/subscribe needs a session: send the Mcp-Session-Id header the initialize answer gave',
    );
  return caller.sessionId;
}

function sessionEnded() {
  return invalidRequest('The session has ended: initialize again');
}
