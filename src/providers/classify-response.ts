/**
 * What a provider's answer means for delivery. A table, so "which statuses are retried" is read
 * in one place:
 * - 2xx: done.
 * - 408, 425, 5xx: transient; retry with backoff (honouring Retry-After).
 * - 429: the provider asks us to slow down: throttle its queue, without spending an attempt.
 * - any other 4xx: the provider said no; retrying cannot help (permanent).
 */
export type Verdict =
  | { kind: 'delivered' }
  | { kind: 'transient'; retryAfterMs: number | undefined; reason: string }
  | { kind: 'throttled'; retryAfterMs: number | undefined; reason: string }
  | { kind: 'permanent'; reason: string };

const TRANSIENT_4XX = new Set([408, 425]);

export function classifyStatus(
  status: number,
  retryAfter: string | undefined,
  nowMs: number,
): Verdict {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
  const reason = `HTTP ${status}`;
  if (status === 429) return { kind: 'throttled', retryAfterMs, reason };
  if (status >= 500 || TRANSIENT_4XX.has(status))
    return { kind: 'transient', retryAfterMs, reason };
  return { kind: 'permanent', reason };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
