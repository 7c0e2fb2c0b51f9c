import type { App } from '../../src/http/types.js';
import { TENANT_AUTH } from './catalog-app-context.js';
import { productDocument } from './catalog-facts.js';

/**
 * The catalog ingest requests the route tests send, as TENANT unless told: each takes the app
 * so a test file can build it in `beforeAll`.
 */

/** PUT /v1/products/{id}; the body defaults to `productDocument(id)`. */
export function putProduct(app: App, id: string, payload: object = productDocument(id)) {
  return app.inject({ method: 'PUT', url: `/v1/products/${id}`, headers: TENANT_AUTH, payload });
}

/** POST /v1/products/batch with `payload` as the whole body. */
export function postProductBatch(app: App, payload: object) {
  return app.inject({ method: 'POST', url: '/v1/products/batch', headers: TENANT_AUTH, payload });
}

/** PUT /v1/policies/{id}. */
export function putPolicy(app: App, id: string, payload: object) {
  return app.inject({ method: 'PUT', url: `/v1/policies/${id}`, headers: TENANT_AUTH, payload });
}
