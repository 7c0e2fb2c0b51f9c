import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/**
 * The URL clients reach this service at, for documents that name our own endpoints (the A2A
 * agent card, ACP discovery, paging links): PUBLIC_BASE_URL, else the address this server
 * listens on. Without a trailing slash.
 */
export function publicBaseUrl(
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT'>,
  request: FastifyRequest,
): string {
  if (config.PUBLIC_BASE_URL !== undefined) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const port = request.socket?.localPort ?? config.PORT;
  return `http://${config.HOST}:${port}`;
}
