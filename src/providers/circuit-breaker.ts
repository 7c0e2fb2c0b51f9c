/**
 * A per-provider circuit breaker. After `failureThreshold` consecutive failures it opens: calls
 * are held back for `openMs` instead of hammering a provider that is down. Then one trial call is
 * let through (half-open); its success closes the breaker, its failure opens it again.
 * In memory, per process: each worker process learns a provider's health on its own.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  openMs: number;
  nowMs: () => number;
}

export type Admission = { admitted: true } | { admitted: false; retryInMs: number };

export class CircuitBreaker {
  private failures = 0;
  private openedAtMs = 0;
  private trialInFlight = false;
  private current: BreakerState = 'closed';

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.options.nowMs() - this.openedAtMs >= this.options.openMs) {
      this.current = 'half_open';
      this.trialInFlight = false;
    }
    return this.current;
  }

  /** Whether a call may go out now; when not, how long until the next trial. */
  admit(): Admission {
    const state = this.state;
    if (state === 'closed') return { admitted: true };
    if (state === 'half_open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return { admitted: true };
    }
    const elapsed = this.options.nowMs() - this.openedAtMs;
    // A trial is out: the others wait a short while for its answer rather than a full period.
    const retryInMs =
      state === 'half_open'
        ? Math.min(1_000, this.options.openMs)
        : Math.max(1, this.options.openMs - elapsed);
    return { admitted: false, retryInMs };
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.current = 'closed';
  }

  /** A failure that says the provider is unwell (timeout, reset, 5xx), not a 4xx answer. */
  failure(): void {
    this.failures += 1;
    if (this.current === 'half_open' || this.failures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAtMs = this.options.nowMs();
      this.trialInFlight = false;
    }
  }
}
