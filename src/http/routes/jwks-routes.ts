import type { JWK } from 'jose';
import { entityTagOf } from '../a2a/conditional-get.js';
import { ifNoneMatchHits } from '../if-none-match.js';
import type { App } from '../types.js';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * `GET /.well-known/jwks.json`: the merchant's public signing keys (RFC 7517), public and
 * cacheable, so an agent or credential provider verifies the checkout JWTs and receipts we sign.
 */
export async function jwksRoutes(app: App, jwks: () => Promise<{ keys: JWK[] }>): Promise<void> {
  app.get(JWKS_PATH, async (request, reply) => {
    const body = JSON.stringify(await jwks());
    const etag = entityTagOf(body);
    reply.header('cache-control', 'public, max-age=300').header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/jwk-set+json').send(body);
  });
}
