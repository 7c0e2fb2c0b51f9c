import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Agent, request } from 'undici';
import { RetryableHttpError, withRetries } from '../../src/providers/retry.js';
import { type FeedManifest, FeedManifestSchema } from './feed-manifest.js';
import { type HttpPutSinkOptions, sinkAgent, sinkUrl } from './http-put-sink.js';
import { sha256Meter } from './sha256-meter.js';

/** The remote store answered with a file that is not the one its manifest names. */
export class FeedIntegrityError extends Error {
  override name = 'FeedIntegrityError';
}

/**
 * Reads back what the HTTP PUT sink uploaded, from the same URLs: `manifest.json` and the file
 * it names. Serving feeds from there lets an ingress on another machine than the workers serve
 * what they published without a shared volume.
 */
export class HttpSinkReader {
  private readonly agent: Agent;

  constructor(private readonly options: HttpPutSinkOptions) {
    this.agent = sinkAgent(options.timeoutMs);
  }

  private get<T>(
    url: string,
    answer: (statusCode: number, body: NodeJS.ReadableStream) => Promise<T>,
  ): Promise<T> {
    return withRetries(this.options.retries, this.options.retryBaseDelayMs ?? 250, async () => {
      const response = await request(url, { method: 'GET', dispatcher: this.agent });
      if (response.statusCode >= 500 || response.statusCode === 429) {
        await response.body.dump();
        throw new RetryableHttpError(
          `GET ${url} answered ${response.statusCode}`,
          response.statusCode,
        );
      }
      return answer(response.statusCode, response.body);
    });
  }

  /** The remote manifest, or undefined when the feed was never uploaded (404). */
  readManifest(tenant: string, feed: string): Promise<FeedManifest | undefined> {
    const url = sinkUrl(this.options.baseUrl, tenant, feed, 'manifest.json');
    return this.get(url, async (statusCode, body) => {
      const text = await readText(body);
      if (statusCode === 404) return undefined;
      if (statusCode !== 200) throw new Error(`GET ${url} answered ${statusCode}`);
      return FeedManifestSchema.parse(JSON.parse(text));
    });
  }

  /**
   * Streams the file `manifest` names into a stream `target` opens (again for every attempt,
   * so a retry never appends to a half-written file), checking on the way that it has the
   * manifest's length and sha256; a mismatch rejects (the caller discards what was written).
   */
  download(tenant: string, manifest: FeedManifest, target: () => Promise<Writable>): Promise<void> {
    const url = sinkUrl(this.options.baseUrl, tenant, manifest.feed, manifest.file);
    return this.get(url, async (statusCode, body) => {
      if (statusCode !== 200) {
        await readText(body);
        throw new Error(`GET ${url} answered ${statusCode}`);
      }
      const meter = sha256Meter();
      await pipeline(body, meter.stream, await target());
      const { sha256, bytes } = meter.result();
      if (bytes !== manifest.bytes || sha256 !== manifest.sha256)
        throw new FeedIntegrityError(
          `GET ${url}: ${bytes} bytes with sha256 ${sha256}, the manifest says ${manifest.bytes} and ${manifest.sha256}`,
        );
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function readText(body: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of body) text += chunk.toString();
  return text;
}
