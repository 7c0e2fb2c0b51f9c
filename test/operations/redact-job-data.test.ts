import { describe, expect, it } from 'vitest';
import { redactJobData } from '../../src/http/redact-job-data.js';

describe('redactJobData', () => {
  it('blanks payment details, mandates and tokens at any depth and keeps the rest', () => {
    const job = {
      checkoutId: 'chk_1',
      amount: 12900,
      allowance: { max_amount: 20000, token: 'spt_secret' },
      lines: [{ sku: 'BAG-TRAVEL-42', card: { number: '4242424242424242', cvc: '123' } }],
      headers: { Authorization: 'Bearer live-secret' },
    };
    const shown = JSON.stringify(redactJobData(job));
    for (const secret of ['spt_secret', '4242424242424242', '"123"', 'live-secret'])
      expect(shown).not.toContain(secret);
    expect(redactJobData(job)).toMatchObject({
      checkoutId: 'chk_1',
      amount: 12900,
      allowance: '[redacted]',
      lines: [{ sku: 'BAG-TRAVEL-42', card: '[redacted]' }],
      headers: { Authorization: '[redacted]' },
    });
  });

  it('leaves scalars and null alone', () => {
    expect(redactJobData(null)).toBeNull();
    expect(redactJobData('text')).toBe('text');
    expect(redactJobData(3)).toBe(3);
  });
});
