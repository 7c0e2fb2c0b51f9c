import { discoveryDocument } from '../../adapters/acp/discovery.js';
import type { Config } from '../../config.js';
import { entityTagOf } from '../a2a/conditional-get.js';
import { ifNoneMatchHits } from '../if-none-match.js';
import { publicBaseUrl } from '../public-base-url.js';
import type { App } from '../types.js';
import { ACP_SUPPORTED_VERSIONS } from './acp-guard.js';

export const ACP_DISCOVERY_PATH = '/.well-known/acp.json';

/**
 * `GET /.well-known/acp.json`: public and the same for everyone, so any cache may keep it a few
 * minutes; it changes only with a deploy or configuration.
 */
export async function acpDiscoveryRoutes(
  app: App,
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT' | 'ACP_WEBHOOK_URL'>,
): Promise<void> {
  app.get(ACP_DISCOVERY_PATH, async (request, reply) => {
    const body = JSON.stringify(
      discoveryDocument({
        versions: ACP_SUPPORTED_VERSIONS,
        apiBaseUrl: publicBaseUrl(config, request),
        orderEvents: config.ACP_WEBHOOK_URL !== undefined,
      }),
    );
    const etag = entityTagOf(body);
    reply.header('cache-control', 'public, max-age=300').header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
