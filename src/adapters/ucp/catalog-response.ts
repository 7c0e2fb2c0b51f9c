import type { UcpOperation } from './capabilities.js';
import type { UcpProduct, Unlisted } from './catalog-projection.js';
import { errorBlockOf, type UcpBlock } from './response-block.js';

/**
 * The answers of the UCP catalog (catalog_search.json `search_response`, catalog_lookup.json
 * `lookup_response` and `get_product_response`, types/error_response.json) and their messages.
 * Every one is HTTP 200: catalog/rest.md "Business Outcomes" — a miss is an application outcome.
 */

/**
 * The catalog's operations (rest.openapi.json operationIds); the capability each belongs to is
 * in capabilities.ts's UCP_OPERATION_CAPABILITY (get_product is part of catalog.lookup).
 */
export type CatalogOperation = Extract<
  UcpOperation,
  'search_catalog' | 'lookup_catalog' | 'get_product'
>;

export interface UcpInfoMessage {
  type: 'info';
  code: string;
  content: string;
}
export interface UcpErrorMessage {
  type: 'error';
  code: string;
  content: string;
  severity: 'recoverable' | 'unrecoverable';
}
export type UcpCatalogMessage = UcpInfoMessage | UcpErrorMessage;

/**
 * What lookup says about an id it returns no product for (catalog/rest.md, "Partial Success"):
 * an `info` message whose content is the id, as the spec's examples write it.
 */
const LOOKUP_MISS: Readonly<Record<Unlisted, (id: string) => UcpInfoMessage>> = {
  not_found: (id) => ({ type: 'info', code: 'not_found', content: id }),
  unpriced: (id) => ({ type: 'info', code: 'price_unavailable', content: id }),
};

/**
 * What get_product answers for an id it cannot return (catalog/rest.md "Product Not Found":
 * `unrecoverable` — retrying the same id will not help). A product without a current price is
 * `recoverable`: the price comes back once it is revalidated (catalog/index.md: catalog errors
 * are recoverable).
 */
const PRODUCT_MISS: Readonly<Record<Unlisted, (id: string) => UcpErrorMessage>> = {
  not_found: (id) => ({
    type: 'error',
    code: 'not_found',
    content: `Product not found: ${id}`,
    severity: 'unrecoverable',
  }),
  unpriced: (id) => ({
    type: 'error',
    code: 'item_unavailable',
    content: `No current price can be stated for ${id}`,
    severity: 'recoverable',
  }),
};

/** Said once when a price filter in another currency than a product's could not be applied. */
export const PRICE_FILTER_IGNORED: UcpInfoMessage = {
  type: 'info',
  code: 'price_filter_ignored',
  content: 'The price filter is in another currency than the prices, which are not converted.',
};

export function lookupMiss(id: string, reason: Unlisted): UcpInfoMessage {
  return LOOKUP_MISS[reason](id);
}

export function productMiss(id: string, reason: Unlisted): UcpErrorMessage {
  return PRODUCT_MISS[reason](id);
}

/** `messages` is left out when there are none (catalog/index.md "Empty Search"). */
function withMessages<T extends object>(
  body: T,
  messages: readonly UcpCatalogMessage[],
): T & { messages?: UcpCatalogMessage[] } {
  return messages.length === 0 ? body : { ...body, messages: [...messages] };
}

/** search_response; `next` is the opaque cursor of the next page, absent on the last one. */
export function searchResponse(
  ucp: UcpBlock,
  products: readonly UcpProduct[],
  next: string | undefined,
  messages: readonly UcpCatalogMessage[] = [],
) {
  const pagination =
    next === undefined ? { has_next_page: false } : { has_next_page: true, cursor: next };
  return withMessages({ ucp, products: [...products], pagination }, messages);
}

/** lookup_response: the products found (each variant with its `inputs`), the misses as messages. */
export function lookupResponse(
  ucp: UcpBlock,
  products: readonly UcpProduct[],
  messages: readonly UcpCatalogMessage[] = [],
) {
  return withMessages({ ucp, products: [...products] }, messages);
}

/** get_product_response: one product (no option axes, so no `selected`). */
export function productResponse(
  ucp: UcpBlock,
  product: UcpProduct,
  messages: readonly UcpCatalogMessage[] = [],
) {
  return withMessages({ ucp, product }, messages);
}

/** error_response: `ucp.status` "error" and at least one message (types/error_response.json). */
export function errorResponse(
  ucp: UcpBlock,
  messages: readonly [UcpCatalogMessage, ...UcpCatalogMessage[]],
) {
  return { ucp: errorBlockOf(ucp), messages: [...messages] };
}

/**
 * A product as lookup returns it: every variant carries the request ids that resolved to it
 * (lookup.md "Client Correlation"). Our one variant's id is the product id, so an id that
 * names the product names that variant directly: `exact`.
 */
export function correlated(product: UcpProduct, requestIds: readonly string[]): UcpProduct {
  const inputs = requestIds.map((id) => ({ id, match: 'exact' }));
  return { ...product, variants: product.variants.map((variant) => ({ ...variant, inputs })) };
}
