import { describe, expect, it } from 'vitest';
import {
  describeIssues,
  FactsDocumentSchema,
  isValidGtin,
  ProductFactsSchema,
} from '../../src/domain/index.js';
import { EU_CONSUMER, NOW, product } from '../support/facts.js';

describe('isValidGtin', () => {
  it.each([
    ['a GTIN-14 with leading zero', '09506000134352'],
    ['an EAN-13', '4006381333931'],
    ['a UPC-A (GTIN-12)', '036000291452'],
    ['a GTIN-8', '96385074'],
  ])('accepts %s', (_what, gtin) => {
    expect(isValidGtin(gtin)).toBe(true);
  });

  it.each([
    ['a wrong check digit', '4006381333932'],
    ['dashes', '400-6381-33393-1'],
    ['spaces', '4006381 333931'],
    ['ten digits (an ISBN-10)', '0306406152'],
    ['letters', '40063813339X1'],
  ])('refuses %s', (_what, gtin) => {
    expect(isValidGtin(gtin)).toBe(false);
  });
});

describe('product facts a listing needs', () => {
  it('accepts a valid GTIN and an MPN', () => {
    const parsed = ProductFactsSchema.parse(
      product({ gtin: '4006381333931', mpn: 'NW-BAG-42', url: 'https://shop.example.com/p/1' }),
    );
    expect(parsed).toMatchObject({ gtin: '4006381333931', mpn: 'NW-BAG-42' });
  });

  describe('in a facts document', () => {
    const doc = (extra: Record<string, unknown>) => ({
      now: NOW,
      contexts: [EU_CONSUMER],
      products: [{ ...product(), ...extra }],
    });

    it.each([
      ['a GTIN with a wrong check digit', { gtin: '4006381333932' }, '$.products[0].gtin'],
      ['a product URL that is not http(s)', { url: 'javascript:alert(1)' }, '$.products[0].url'],
      [
        'an image URL on ftp',
        { imageUrl: 'ftp://cdn.example.com/a.jpg' },
        '$.products[0].imageUrl',
      ],
      ['an MPN longer than 70 characters', { mpn: 'X'.repeat(71) }, '$.products[0].mpn'],
    ])('refuses %s, by JSON path', (_what, extra, path) => {
      const result = FactsDocumentSchema.safeParse(doc(extra));
      expect(result.success).toBe(false);
      if (!result.success) expect(describeIssues(result.error).join('\n')).toContain(`${path}:`);
    });
  });
});
