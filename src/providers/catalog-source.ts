import { Agent, request } from 'undici';
import { z } from 'zod';
import { describeIssues, PolicyFactSchema, ProductFactsSchema } from '../domain/index.js';
import { RetryableHttpError, withRetries } from './retry.js';

/**
 * One page of `GET {CATALOG_URL}/products?cursor=`: products (and optionally policies) in the
 * facts-document shape, and the cursor of the next page (absent or null on the last).
 */
export const CatalogPageSchema = z.object({
  products: z.array(ProductFactsSchema).max(1_000),
  policies: z.array(PolicyFactSchema).max(1_000).default([]),
  nextCursor: z.string().min(1).max(2_000).nullish(),
});
export type CatalogPage = z.infer<typeof CatalogPageSchema>;

export class InvalidCatalogPageError extends Error {
  constructor(url: string, problems: string[]) {
    super(`catalog page ${url} is invalid: ${problems.join('; ')}`);
    this.name = 'InvalidCatalogPageError';
  }
}

export interface CatalogSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  /** @defaultValue 250 */
  retryBaseDelayMs?: number;
}

/** The merchant's catalog API, read with undici: timeouts on every phase, retries with backoff. */
export class CatalogSource {
  private readonly agent: Agent;

  constructor(private readonly options: CatalogSourceOptions) {
    this.agent = new Agent({
      connectTimeout: options.timeoutMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  pageUrl(cursor: string | undefined): string {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}/products`);
    if (cursor !== undefined) url.searchParams.set('cursor', cursor);
    return url.toString();
  }

  async page(cursor: string | undefined): Promise<CatalogPage> {
    const url = this.pageUrl(cursor);
    const body = await withRetries(
      this.options.retries,
      this.options.retryBaseDelayMs ?? 250,
      async () => {
        const response = await request(url, {
          method: 'GET',
          headers: { accept: 'application/json' },
          dispatcher: this.agent,
        });
        if (response.statusCode >= 500 || response.statusCode === 429) {
          await response.body.dump();
          throw new RetryableHttpError(`GET ${url} answered ${response.statusCode}`);
        }
        if (response.statusCode !== 200) {
          await response.body.dump();
          throw new Error(`GET ${url} answered ${response.statusCode}`);
        }
        return response.body.json();
      },
    );
    const parsed = CatalogPageSchema.safeParse(body);
    if (!parsed.success) throw new InvalidCatalogPageError(url, describeIssues(parsed.error));
    return parsed.data;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
