import { FAVICON_SVG } from '../adapters/admin/readiness-page.js';
import type { App } from './types.js';

/**
 * Browsers ask for /favicon.ico on their own, before and besides any page's icon link; answering
 * it (the operator page's inline icon, as SVG, public and cacheable) keeps a 404 out of the
 * logs and the browser console.
 */
export async function faviconRoute(app: App): Promise<void> {
  app.get('/favicon.ico', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml');
    return FAVICON_SVG;
  });
}
