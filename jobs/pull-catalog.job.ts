import { UnrecoverableError } from 'bullmq';
import { CatalogSource, InvalidCatalogPageError } from '../src/providers/catalog-source.js';
import { CATALOG_QUEUE_NAMES, PullCatalogPayloadSchema } from '../src/queues/catalog-queues.js';
import { defineJob } from '../src/queues/job-shell.js';
import type { CatalogJobDeps } from './catalog-job-deps.js';

export const queue = CATALOG_QUEUE_NAMES.pullCatalog;
export const PayloadSchema = PullCatalogPayloadSchema;

export interface PullCatalogResult {
  pages: number;
  products: number;
  policies: number;
}

/** A cycle of cursors would page forever; no honest catalog has this many pages. */
const MAX_PAGES = 100_000;

/**
 * Pages through `GET {CATALOG_URL}/products?cursor=` and ingests each page as it arrives (a page
 * is validated whole and written whole, like POST /v1/products/batch). An invalid page stops the
 * pull as unrecoverable: retrying cannot fix the merchant's data, and pages before it stay.
 */
export const pullCatalogJob = defineJob({
  queue,
  PayloadSchema,
  async process(payload, runtime: CatalogJobDeps): Promise<PullCatalogResult> {
    const { config } = runtime.ctx;
    if (config.CATALOG_URL === undefined) return { pages: 0, products: 0, policies: 0 };
    const source = new CatalogSource({
      baseUrl: config.CATALOG_URL,
      timeoutMs: config.CATALOG_PULL_TIMEOUT_MS,
      retries: config.CATALOG_PULL_RETRIES,
    });
    const result: PullCatalogResult = { pages: 0, products: 0, policies: 0 };
    try {
      let cursor: string | undefined;
      do {
        const page = await source.page(cursor);
        for (const policy of page.policies) await runtime.catalog.putPolicy(payload.tenant, policy);
        await runtime.catalog.putProducts(payload.tenant, page.products);
        result.pages += 1;
        result.products += page.products.length;
        result.policies += page.policies.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && result.pages < MAX_PAGES);
    } catch (error) {
      if (error instanceof InvalidCatalogPageError) throw new UnrecoverableError(error.message);
      throw error;
    } finally {
      await source.close();
    }
    return result;
  },
});
