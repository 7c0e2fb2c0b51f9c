import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../../errors/codes.js';

const FIRST_WAIT_MS = 5;
const LONGEST_WAIT_MS = 100;

/**
 * Runs `call`, and while an identical call holds its idempotency key (IDEMPOTENCY_IN_FLIGHT)
 * runs it again after a short, growing wait, for at most `budgetMs`. The HTTP API answers 409
 * with Retry-After there; a tool call has no such header, and an agent that sent the same call
 * twice at once wants the one answer, which the held key gives the moment it is written. With
 * the key's claim TTL as the budget, a call whose twin crashed runs once the claim lapses.
 */
export async function untilKeyFree<T>(call: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = performance.now() + budgetMs;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const inFlight = error instanceof AppError && error.code === 'IDEMPOTENCY_IN_FLIGHT';
      if (!inFlight || performance.now() + wait > deadline) throw error;
    }
    await delay(wait);
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  }
}
