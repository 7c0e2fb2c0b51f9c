import { describe, expect, it } from 'vitest';
import { requestFingerprint, type SentRequest } from '../../src/services/checkout/idempotency.js';

const ADD: SentRequest = {
  tenant: 'acme',
  operation: 'add_item',
  checkoutId: 'co_1',
  input: { productId: 'BAG-TRAVEL-42', quantity: 1 },
};

describe('requestFingerprint', () => {
  it('is the same for the same request whatever the order of its fields', () => {
    const reordered: SentRequest = {
      input: { quantity: 1, productId: 'BAG-TRAVEL-42' },
      checkoutId: 'co_1',
      operation: 'add_item',
      tenant: 'acme',
    };
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(ADD));
  });

  it('treats an absent optional field like one left out', () => {
    const withUndefined = {
      ...ADD,
      input: { ...(ADD.input as object), expectedVersion: undefined },
    };
    expect(requestFingerprint(withUndefined)).toBe(requestFingerprint(ADD));
  });

  describe.each<[string, SentRequest]>([
    ['another tenant', { ...ADD, tenant: 'globex' }],
    ['another operation', { ...ADD, operation: 'remove_item' }],
    ['another checkout', { ...ADD, checkoutId: 'co_2' }],
    ['another body', { ...ADD, input: { productId: 'BAG-TRAVEL-42', quantity: 2 } }],
    [
      'an expected version in the body',
      { ...ADD, input: { productId: 'BAG-TRAVEL-42', quantity: 1, expectedVersion: 3 } },
    ],
  ])('with %s', (_what, other) => {
    it('differs', () => {
      expect(requestFingerprint(other)).not.toBe(requestFingerprint(ADD));
    });
  });
});
