import type { JWK } from 'jose';
import { businessProfile, UCP_REST_PATH } from '../../adapters/ucp/business-profile.js';
import type { Config } from '../../config.js';
import { entityTagOf } from '../a2a/conditional-get.js';
import { ifNoneMatchHits } from '../if-none-match.js';
import { publicBaseUrl } from '../public-base-url.js';
import type { App } from '../types.js';

export const UCP_DISCOVERY_PATH = '/.well-known/ucp';

/** Paths, under the public base URL, of the other transports a deployment serves UCP on. */
export interface UcpDiscoveryOptions {
  /** The MCP endpoint (src/app/mcp.ts MCP_ENDPOINT_PATH), when it speaks UCP's tools. */
  mcpPath?: string;
  /** The A2A agent card (src/app/a2a.ts serves /.well-known/agent-card.json). */
  a2aCardPath?: string;
  /** The merchant's public signing keys, published as the profile's `signing_keys`. */
  signingKeys?: () => Promise<JWK[]>;
}

/**
 * `GET /.well-known/ucp`: public, no auth, the same for everyone. overview.md ("Profile
 * Requirements" → "Hosting") wants `Cache-Control` with `public` and a `max-age` of at least
 * 60 seconds, and no redirect; it changes only with a deploy or configuration.
 */
export async function ucpDiscoveryRoutes(
  app: App,
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT'>,
  options: UcpDiscoveryOptions = {},
): Promise<void> {
  app.get(UCP_DISCOVERY_PATH, async (request, reply) => {
    const base = publicBaseUrl(config, request);
    const signingKeys = await options.signingKeys?.();
    const body = JSON.stringify({
      ...businessProfile({
        base,
        rest: `${base}${UCP_REST_PATH}`,
        ...(options.mcpPath === undefined ? {} : { mcp: `${base}${options.mcpPath}` }),
        ...(options.a2aCardPath === undefined ? {} : { a2a: `${base}${options.a2aCardPath}` }),
      }),
      ...(signingKeys === undefined ? {} : { signing_keys: signingKeys }),
    });
    const etag = entityTagOf(body);
    reply.header('cache-control', 'public, max-age=300').header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
