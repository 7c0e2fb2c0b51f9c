/**
 * Delay before the next delivery attempt: exponential from `baseMs` with "equal jitter" (half
 * fixed, half random), so retries of many effects that failed together spread out instead of
 * arriving together again. (A provider's Retry-After is honoured without spending an attempt,
 * outside this backoff: services/outbox/effect-delivery.ts.)
 */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

export function retryDelayMs(
  attemptsMade: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
