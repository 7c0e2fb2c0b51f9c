import { CircuitBreaker, type CircuitBreakerOptions } from '../../providers/circuit-breaker.js';

/** One circuit breaker per destination (a provider, or a webhook subscriber's origin). */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly options: CircuitBreakerOptions) {}

  for(destination: string): CircuitBreaker {
    let breaker = this.breakers.get(destination);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.options);
      this.breakers.set(destination, breaker);
    }
    return breaker;
  }

  states(): Record<string, string> {
    return Object.fromEntries([...this.breakers].map(([name, breaker]) => [name, breaker.state]));
  }
}
