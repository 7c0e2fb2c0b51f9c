import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { CircuitBreaker } from '../../src/providers/circuit-breaker.js';

function breaker() {
  const clock = manualClock(0);
  return {
    clock,
    breaker: new CircuitBreaker({ failureThreshold: 3, openMs: 1_000, nowMs: clock.nowMs }),
  };
}

describe('CircuitBreaker', () => {
  it('stays closed below the failure threshold', () => {
    const { breaker: b } = breaker();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    expect(b.admit()).toEqual({ admitted: true });
  });

  it('opens after consecutive failures and holds calls back for the open period', () => {
    const { breaker: b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.state).toBe('open');
    clock.advance(400);
    expect(b.admit()).toEqual({ admitted: false, retryInMs: 600 });
  });

  it('a success resets the count of consecutive failures', () => {
    const { breaker: b } = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
  });

  describe('after the open period', () => {
    it('lets exactly one trial call through', () => {
      const { breaker: b, clock } = breaker();
      for (let i = 0; i < 3; i++) b.failure();
      clock.advance(1_000);
      expect(b.state).toBe('half_open');
      expect(b.admit()).toEqual({ admitted: true });
      expect(b.admit().admitted).toBe(false);
    });

    it('closes when the trial succeeds', () => {
      const { breaker: b, clock } = breaker();
      for (let i = 0; i < 3; i++) b.failure();
      clock.advance(1_000);
      b.admit();
      b.success();
      expect(b.state).toBe('closed');
    });

    it('opens again at once when the trial fails', () => {
      const { breaker: b, clock } = breaker();
      for (let i = 0; i < 3; i++) b.failure();
      clock.advance(1_000);
      b.admit();
      b.failure();
      expect(b.state).toBe('open');
      expect(b.admit()).toEqual({ admitted: false, retryInMs: 1_000 });
    });
  });
});
