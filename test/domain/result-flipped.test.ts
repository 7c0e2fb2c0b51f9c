import { describe, expect, it } from 'vitest';
import { resultFlipped } from '../../src/domain/index.js';

describe('resultFlipped', () => {
  it('counts a first decision and a changed result, not a refresh under the same result', () => {
    expect(resultFlipped({ result: 'allowed' })).toBe(true);
    expect(resultFlipped({ previousResult: 'allowed', result: 'blocked' })).toBe(true);
    expect(resultFlipped({ previousResult: 'requires_revalidation', result: 'allowed' })).toBe(
      true,
    );
    expect(resultFlipped({ previousResult: 'blocked', result: 'blocked' })).toBe(false);
  });
});
