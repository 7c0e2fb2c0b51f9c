import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { RetryableHttpError, withRetries } from '../../src/providers/retry.js';
import type { FeedManifest } from './feed-manifest.js';

export interface HttpPutSinkOptions {
  /** `${baseUrl}/${tenant}/${feed}/${file}` and `…/manifest.json` are PUT */
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  /** @defaultValue 250 */
  retryBaseDelayMs?: number;
}

/** Where a tenant's feed file (or its `manifest.json`) lives under the sink's base URL. */
export function sinkUrl(baseUrl: string, tenant: string, feed: string, file: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/${encodeURIComponent(tenant)}/${encodeURIComponent(feed)}/${encodeURIComponent(file)}`;
}

/** The undici agent both directions of the sink use: every phase bounded by the timeout. */
export function sinkAgent(timeoutMs: number): Agent {
  return new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

/**
 * Uploads a published feed with HTTP PUT: the versioned file first, then the manifest, so a
 * reader of the remote manifest, like one of the local one, always finds the file it names.
 */
export class HttpPutSink {
  private readonly agent: Agent;

  constructor(private readonly options: HttpPutSinkOptions) {
    this.agent = sinkAgent(options.timeoutMs);
  }

  private url(tenant: string, feed: string, file: string): string {
    return sinkUrl(this.options.baseUrl, tenant, feed, file);
  }

  private async put(
    url: string,
    body: () => Readable | string,
    headers: Record<string, string>,
  ): Promise<void> {
    await withRetries(this.options.retries, this.options.retryBaseDelayMs ?? 250, async () => {
      const response = await request(url, {
        method: 'PUT',
        body: body(),
        headers,
        dispatcher: this.agent,
      });
      await response.body.dump();
      if (response.statusCode >= 500 || response.statusCode === 429)
        throw new RetryableHttpError(
          `PUT ${url} answered ${response.statusCode}`,
          response.statusCode,
        );
      if (response.statusCode >= 300) throw new Error(`PUT ${url} answered ${response.statusCode}`);
    });
  }

  async upload(tenant: string, filePath: string, manifest: FeedManifest): Promise<void> {
    await this.put(
      this.url(tenant, manifest.feed, manifest.file),
      () => createReadStream(filePath),
      {
        'content-type': manifest.contentType,
        'content-length': String(manifest.bytes),
        'x-feed-sha256': manifest.sha256,
      },
    );
    await this.put(
      this.url(tenant, manifest.feed, 'manifest.json'),
      () => JSON.stringify(manifest),
      { 'content-type': 'application/json' },
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
