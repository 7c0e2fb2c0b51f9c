import { describe, expect, it } from 'vitest';
import { type ProductFacts, publishableDescription } from '../../src/domain/index.js';

const base: ProductFacts = { id: 'P-1', title: 'Thing', category: 'things', status: 'active' };

describe('publishableDescription', () => {
  it.each([
    [
      'the merchant wrote one',
      { description: 'Merchant words', generatedClaims: { status: 'pending_review', text: 'Gen' } },
      'Merchant words',
    ],
    [
      'generated text was approved',
      { generatedClaims: { status: 'approved', text: 'Approved gen' } },
      'Approved gen',
    ],
    [
      'generated text is pending review',
      { generatedClaims: { status: 'pending_review', text: 'Unreviewed' } },
      undefined,
    ],
    [
      'generated text was blocked',
      { generatedClaims: { status: 'blocked', text: 'Rejected' } },
      undefined,
    ],
    ['there is none', {}, undefined],
  ] as const)('when %s, gives %j', (_when, extra, expected) => {
    expect(publishableDescription({ ...base, ...extra } as ProductFacts)).toBe(expected);
  });
});
