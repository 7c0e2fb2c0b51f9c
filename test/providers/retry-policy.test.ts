import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/providers/backoff.js';
import { classifyStatus, parseRetryAfter } from '../../src/providers/classify-response.js';

describe('classifyStatus', () => {
  const cases: [number, string][] = [
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [400, 'permanent'],
    [401, 'permanent'],
    [402, 'permanent'],
    [404, 'permanent'],
    [409, 'permanent'],
    [422, 'permanent'],
    [408, 'transient'],
    [425, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [429, 'throttled'],
  ];
  for (const [status, kind] of cases) {
    it(`treats ${status} as ${kind}`, () => {
      expect(classifyStatus(status, undefined, 0).kind).toBe(kind);
    });
  }

  it('carries Retry-After into a 503', () => {
    expect(classifyStatus(503, '7', 0)).toMatchObject({ kind: 'transient', retryAfterMs: 7_000 });
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    const now = Date.parse('2026-06-28T09:00:00Z');
    expect(parseRetryAfter('Sun, 28 Jun 2026 09:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  const settings = { baseMs: 100, maxMs: 1_000 };

  it('grows exponentially with equal jitter and stops at the ceiling', () => {
    expect(retryDelayMs(1, settings, () => 0)).toBe(50);
    expect(retryDelayMs(1, settings, () => 1)).toBe(100);
    expect(retryDelayMs(3, settings, () => 1)).toBe(400);
    expect(retryDelayMs(10, settings, () => 1)).toBe(1_000);
  });
});
