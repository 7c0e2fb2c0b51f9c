/**
 * Delay before the next delivery attempt: the provider's Retry-After when it gave one (capped),
 * otherwise exponential from `baseMs` with "equal jitter" (half fixed, half random), so retries
 * of many effects that failed together spread out instead of arriving together again.
 */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
  retryAfterMaxMs: number;
}

export function retryDelayMs(
  attemptsMade: number,
  settings: BackoffSettings,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.retryAfterMaxMs);
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
