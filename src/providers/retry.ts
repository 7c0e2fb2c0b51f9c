import { setTimeout as sleep } from 'node:timers/promises';

/** An error worth retrying: a network failure, a timeout, or a 5xx / 429 answer. */
export class RetryableHttpError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'RetryableHttpError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableHttpError) return true;
  const code = (error as { code?: string } | null)?.code;
  return code !== undefined && NETWORK_CODES.has(code);
}

/**
 * Runs `attempt` up to `retries + 1` times with exponential backoff and jitter, retrying only
 * retryable failures. Hand-rolled rather than undici's RetryAgent because our request bodies are
 * file streams that must be re-opened for every attempt, which RetryAgent cannot do.
 */
export async function withRetries<T>(
  retries: number,
  baseDelayMs: number,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= retries || !isRetryable(error)) throw error;
      const delay = baseDelayMs * 2 ** n;
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}
