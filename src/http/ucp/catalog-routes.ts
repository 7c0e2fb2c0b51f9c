import type { FastifyRequest } from 'fastify';
import { decodeSearchCursor, encodeSearchCursor } from '../../adapters/ucp/catalog-cursor.js';
import { filterProduct } from '../../adapters/ucp/catalog-filters.js';
import {
  projectCatalogProduct,
  type UcpProduct,
  type Unlisted,
} from '../../adapters/ucp/catalog-projection.js';
import {
  type CatalogRequestCommon,
  catalogContextOf,
  distinctIds,
  LOOKUP_MAX_IDS,
  searchLimitOf,
  UcpGetProductRequestSchema,
  UcpLookupRequestSchema,
  UcpSearchRequestSchema,
} from '../../adapters/ucp/catalog-request.js';
import {
  type CatalogOperation,
  correlated,
  errorResponse,
  lookupMiss,
  lookupResponse,
  PRICE_FILTER_IGNORED,
  productMiss,
  productResponse,
  searchResponse,
  type UcpCatalogMessage,
} from '../../adapters/ucp/catalog-response.js';
import type { UcpBlock } from '../../adapters/ucp/response-block.js';
import type { EvaluationContext, ProductActionProfile, ProductFacts } from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { ProductSearch } from '../../services/product-search.js';
import type { App } from '../types.js';
import { ucpCallerOf } from './ucp-request.js';

/** A stored product and its current profile in one context; undefined where there is no such id. */
export type CatalogEntry = { product?: ProductFacts; profile: ProductActionProfile } | undefined;

export interface UcpCatalogDeps {
  /** the MCP search_products search: discoverable products in id order, page by page */
  search: Pick<ProductSearch, 'search'>;
  /** current profiles of the given ids (ProfileService.currentPage), aligned with `ids` */
  lookup(
    tenant: string,
    ids: readonly string[],
    context: EvaluationContext,
  ): Promise<CatalogEntry[]>;
  /** the context a request without `context.address_country` is decided for */
  defaultContext: EvaluationContext;
  /** the negotiated `ucp` block an answer to `operation` opens with (the negotiation hook's) */
  ucpBlockOf(request: FastifyRequest, operation: CatalogOperation): UcpBlock;
}

type Listed = { reason: Unlisted } | { product: UcpProduct; keep: boolean; ignoredPrice: boolean };

/** A refused request; the UCP scope's error handler gives it the UCP shape. */
function refused(path: string, message: string, code = 'invalid_request'): AppError {
  return new AppError('VALIDATION_FAILED', [`${path}: ${message}`], [{ path, message, code }]);
}

/**
 * The UCP catalog over REST (catalog/rest.md, 2026-04-08): `POST /catalog/search`,
 * `POST /catalog/lookup`, `POST /catalog/product`, answering from the tenant's stored profiles.
 * A product whose discover decision is not allowed is not found, exactly like an unknown id.
 * Mounted inside the UCP scope, which authenticates (`request.ucpCaller`), negotiates and maps
 * errors; paths here are relative to its prefix.
 */
export async function ucpCatalogRoutes(app: App, deps: UcpCatalogDeps): Promise<void> {
  const contextOf = (body: CatalogRequestCommon) =>
    catalogContextOf(body.context, deps.defaultContext);

  /** The listed, filtered projection of an entry, or why it is not listed. */
  const listed = (entry: CatalogEntry, body: CatalogRequestCommon): Listed => {
    const projection =
      entry === undefined
        ? ({ listed: false, reason: 'not_found' } as const)
        : projectCatalogProduct(entry.product, entry.profile);
    if (!projection.listed || entry?.product === undefined)
      return { reason: projection.listed ? 'not_found' : projection.reason };
    const verdict = filterProduct(
      entry.product,
      projection.product,
      body.filters,
      body.context?.currency,
    );
    return { product: projection.product, ...verdict };
  };

  app.post('/catalog/search', { schema: { body: UcpSearchRequestSchema } }, async (request) => {
    const { tenant } = ucpCallerOf(request);
    const body = request.body;
    const cursor = body.pagination?.cursor;
    const after = cursor === undefined ? '' : decodeSearchCursor(cursor);
    if (after === undefined)
      throw refused('$.pagination.cursor', 'is not a cursor this server issued');
    // Filters narrow inside the search, so a page's `limit` counts products that pass them.
    const page = await deps.search.search(tenant, {
      text: body.query,
      context: contextOf(body),
      where: (hit) => {
        const found = listed(hit, body);
        return 'product' in found && found.keep;
      },
      after,
      limit: searchLimitOf(body),
    });
    const products: UcpProduct[] = [];
    let ignoredPrice = false;
    for (const hit of page.hits) {
      const found = listed(hit, body);
      if (!('product' in found)) continue;
      ignoredPrice ||= found.ignoredPrice;
      products.push(found.product);
    }
    const next = page.next === undefined ? undefined : encodeSearchCursor(page.next);
    const messages = ignoredPrice ? [PRICE_FILTER_IGNORED] : [];
    return searchResponse(deps.ucpBlockOf(request, 'search_catalog'), products, next, messages);
  });

  app.post('/catalog/lookup', { schema: { body: UcpLookupRequestSchema } }, async (request) => {
    const { tenant } = ucpCallerOf(request);
    const body = request.body;
    const ids = distinctIds(body.ids);
    if (ids.length > LOOKUP_MAX_IDS)
      throw refused('$.ids', `at most ${LOOKUP_MAX_IDS} distinct ids`, 'request_too_large');
    const entries = await deps.lookup(tenant, ids, contextOf(body));
    const products: UcpProduct[] = [];
    const messages: UcpCatalogMessage[] = [];
    let ignoredPrice = false;
    ids.forEach((id, i) => {
      const found = listed(entries[i], body);
      if (!('product' in found)) {
        messages.push(lookupMiss(id, found.reason));
        return;
      }
      ignoredPrice ||= found.ignoredPrice;
      // lookup.md "Filters": a product the filters exclude is left out, without a message.
      if (found.keep) products.push(correlated(found.product, [id]));
    });
    if (ignoredPrice) messages.push(PRICE_FILTER_IGNORED);
    return lookupResponse(deps.ucpBlockOf(request, 'lookup_catalog'), products, messages);
  });

  app.post(
    '/catalog/product',
    { schema: { body: UcpGetProductRequestSchema } },
    async (request) => {
      const { tenant } = ucpCallerOf(request);
      const body = request.body;
      const [entry] = await deps.lookup(tenant, [body.id], contextOf(body));
      const ucp = deps.ucpBlockOf(request, 'get_product');
      const found = listed(entry, body);
      if (!('product' in found)) return errorResponse(ucp, [productMiss(body.id, found.reason)]);
      // A product the filters exclude has no variant left to return: not found, as lookup.md
      // "Filters" has it for lookup.
      if (!found.keep) return errorResponse(ucp, [productMiss(body.id, 'not_found')]);
      return productResponse(ucp, found.product, found.ignoredPrice ? [PRICE_FILTER_IGNORED] : []);
    },
  );
}
