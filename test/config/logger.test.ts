import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

/** A logger that writes its lines into an array instead of stdout. */
function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'info' },
    { write: (line: string) => void lines.push(line) },
  );
  return { logger, lines };
}

const MANDATE = {
  ref: 'mandate-SECRET-REF-77',
  merchantId: 'merchant-1',
  maxAmount: { amount: 20000, currency: 'EUR' },
};

/** Log objects as the services write them, each hiding one secret somewhere. */
const CASES: [string, object, string][] = [
  [
    'an Authorization header on a request',
    { req: { headers: { authorization: 'Bearer sk_live_1' } } },
    'sk_live_1',
  ],
  [
    'an Authorization header on bare headers',
    { headers: { authorization: 'Bearer sk_live_2' } },
    'sk_live_2',
  ],
  [
    'an Authorization header three levels down',
    { ctx: { req: { headers: { authorization: 'Bearer sk_live_3' } } } },
    'sk_live_3',
  ],
  ['a top-level authorization', { authorization: 'Basic dXNlcjpwYXNz' }, 'dXNlcjpwYXNz'],
  ['an API key header', { req: { headers: { 'x-api-key': 'key_abc_123' } } }, 'key_abc_123'],
  ['a cookie', { req: { headers: { cookie: 'session=cookie_val_9' } } }, 'cookie_val_9'],
  ['a bearer token', { token: 'tok_top_level' }, 'tok_top_level'],
  ['a tenant token', { tenant: { id: 'acme', token: 'tok_tenant_level' } }, 'tok_tenant_level'],
  ['an access token in a response', { res: { body: { accessToken: 'at_deep_1' } } }, 'at_deep_1'],
  [
    'a webhook secret',
    { webhook: { url: 'https://agent.example', webhookSecret: 'whsec_1' } },
    'whsec_1',
  ],
  ['a card number at the top', { cardNumber: '4242424242424242' }, '4242424242424242'],
  [
    'a card number in an order',
    { order: { id: 'o-1', cardNumber: '4000056655665556' } },
    '4000056655665556',
  ],
  [
    'a card in payment data',
    { checkout: { payment_data: { card: { number: '5555555555554444', cvc: '737' } } } },
    '5555555555554444',
  ],
  ['a card object', { card: { number: '378282246310005', cvc: '1234' } }, '378282246310005'],
  ['a payment token', { paymentToken: 'spt_123_payment' }, 'spt_123_payment'],
  ['a mandate at the top', { mandate: MANDATE }, 'mandate-SECRET-REF-77'],
  [
    'a mandate in an intent',
    { intent: { action: 'delegate_payment', mandate: MANDATE }, step: 1 },
    'mandate-SECRET-REF-77',
  ],
  ['a mandate in a job payload', { job: { data: { mandate: MANDATE } } }, 'mandate-SECRET-REF-77'],
  [
    'an allowance at the top',
    { allowance: { id: 'allow_SECRET_5', max_amount: 20000 } },
    'allow_SECRET_5',
  ],
  [
    'an allowance in a request body',
    { req: { body: { allowance: { id: 'allow_SECRET_6' } } } },
    'allow_SECRET_6',
  ],
  [
    'a delegate_payment card in a request body',
    { body: { payment_method: { type: 'card', number: '4000002500003155', cvc: '555' } } },
    '4000002500003155',
  ],
  [
    "a delegate_payment card's CVC two levels down",
    { request: { body: { payment_method: { number: '4000002500003155', cvc: '5551' } } } },
    '5551',
  ],
  [
    'a payment method at the top',
    { payment_method: { number: '6011111111111117' } },
    '6011111111111117',
  ],
  [
    'a bare card number three levels down',
    { delegation: { card: undefined, instrument: { number: '3056930009020004' } } },
    '3056930009020004',
  ],
  [
    'a network token cryptogram',
    { token: undefined, cryptogram: 'AgAAAAAAcryptoXyz=' },
    'AgAAAAAAcryptoXyz=',
  ],
  ['a credential', { credential: 'sd-jwt~secret~disclosure' }, 'sd-jwt~secret~disclosure'],
  ['a password', { password: 'pw_hunter2' }, 'pw_hunter2'],
];

describe('createLogger', () => {
  describe.each(CASES)('when a log object holds %s', (_name, object, secret) => {
    const { logger, lines } = capturingLogger();
    logger.info(object, 'handled request');
    const output = lines.join('');

    it('writes a line', () => {
      expect(lines).toHaveLength(1);
      expect(JSON.parse(output).msg).toBe('handled request');
    });

    it('never writes the secret', () => {
      expect(output).not.toContain(secret);
    });

    it("writes '[redacted]' in its place", () => {
      expect(output).toContain('[redacted]');
    });
  });

  describe('when a log object holds no secret', () => {
    it('writes it unchanged', () => {
      const { logger, lines } = capturingLogger();
      logger.info(
        { productId: 'BAG-TRAVEL-42', result: 'blocked', context: { region: 'EU' } },
        'decided',
      );
      const line = JSON.parse(lines[0] ?? '{}');
      expect(line).toMatchObject({
        productId: 'BAG-TRAVEL-42',
        result: 'blocked',
        context: { region: 'EU' },
        service: 'agent-commerce-worker',
        msg: 'decided',
      });
      expect(lines[0]).not.toContain('[redacted]');
    });
  });

  describe('when the secret sits next to what an operator needs', () => {
    it('keeps the rest of the object', () => {
      const { logger, lines } = capturingLogger();
      logger.info(
        { intent: { action: 'delegate_payment', mandate: MANDATE }, checkoutId: 'c-1' },
        'x',
      );
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
        intent: { action: 'delegate_payment', mandate: '[redacted]' },
        checkoutId: 'c-1',
      });
    });
  });

  describe('when the level is above the call', () => {
    it('writes nothing', () => {
      const lines: string[] = [];
      const logger = createLogger(
        { level: 'warn' },
        { write: (line: string) => void lines.push(line) },
      );
      logger.info({ token: 'x' }, 'quiet');
      expect(lines).toEqual([]);
    });
  });
});
