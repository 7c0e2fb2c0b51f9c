import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokensOf } from '../../src/adapters/ap2/chain.js';
import { checkoutClaimsOf } from '../../src/adapters/ap2/checkout-claims.js';
import { lineItemsMet } from '../../src/adapters/ap2/max-flow.js';
import { errorReceipt, successReceipt } from '../../src/adapters/ap2/receipt-claims.js';
import { parseSdJwt, resolveDisclosures } from '../../src/adapters/ap2/sd-jwt.js';
import { MerchantSigner } from '../../src/services/signing/merchant-signer.js';
import { generateSigningJwks, signingKeysOf } from '../../src/services/signing/signing-keys.js';
import { preparedBackpackCheckout } from '../helpers/checkout-fixtures.js';
import { delegatedMandates, type TestKey, testKey } from '../helpers/mandate-issuer.js';
import { mandateValidator } from '../helpers/mandate-schemas.js';
import { specsAvailable } from '../helpers/specs.js';

const NOW_S = Date.parse('2026-12-05T12:00:00Z') / 1000;
const MERCHANT = { id: 'acme', name: 'Acme Outdoor' };

const checkout = preparedBackpackCheckout();

function expectValid(file: string, claims: unknown) {
  const validate = mandateValidator(file);
  expect(validate(claims), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

describe.skipIf(!specsAvailable)('AP2 claim sets against the AP2 schemas', () => {
  let issuer: TestKey;
  let agent: TestKey;
  let checkoutJwt: string;
  beforeAll(async () => {
    [issuer, agent] = await Promise.all([testKey('issuer'), testKey('agent')]);
    const signer = new MerchantSigner(
      await signingKeysOf(await generateSigningJwks()),
      'https://shop.example',
      () => NOW_S * 1000,
    );
    checkoutJwt = await signer.sign(
      { ...checkoutClaimsOf(checkout, MERCHANT, '2026-12-05T12:15:00.000Z') },
      'JWT',
    );
  });

  it('the checkout we sign is an AP2 (UCP) checkout', () => {
    expectValid('types/checkout.json', decodeJwt(checkoutJwt));
  });

  it('the receipts we sign are checkout receipts, Success and Error', () => {
    const signed = { iss: 'https://shop.example', iat: NOW_S };
    expectValid('checkout_receipt.json', { ...successReceipt('ref', 'ord_1'), ...signed });
    expectValid('checkout_receipt.json', {
      ...errorReceipt('ref', 'invalid_mandate', 'why'),
      ...signed,
    });
  });

  it('the test issuer mints open and closed mandates the schemas accept', async () => {
    const presented = await delegatedMandates({
      issuer,
      agent,
      checkoutJwt,
      merchant: MERCHANT,
      nonce: 'n',
      nowS: NOW_S,
      instrument: { id: 'card-1', type: 'card' },
    });
    const contents = (chain: string) =>
      tokensOf(chain).map((token) => {
        const resolved = resolveDisclosures(parseSdJwt(token));
        return (resolved.delegate_payload as Record<string, unknown>[])[0];
      });
    const [openCheckout, closedCheckout] = contents(presented.checkoutMandate);
    const [openPayment, closedPayment] = contents(presented.paymentMandate);
    expectValid('open_checkout_mandate.json', openCheckout);
    expectValid('checkout_mandate.json', closedCheckout);
    expectValid('open_payment_mandate.json', openPayment);
    expectValid('payment_mandate.json', closedPayment);
  });
});

describe("the checkout.line_items maximum flow (checkout_mandate.md's example)", () => {
  const shoes = { quantity: 1, acceptable: ['BAB1234', 'FAF1234'] };
  const socks = { quantity: 1, acceptable: ['QRT1234'] };
  const met = (items: Record<string, number>) =>
    lineItemsMet([shoes, socks], new Map(Object.entries(items)));

  it.each([[{ BAB1234: 1, QRT1234: 1 }], [{ FAF1234: 1, QRT1234: 1 }]])('is met by %j', (items) => {
    expect(met(items)).toBe(true);
  });

  it.each([
    [{ BAB1234: 1, FAF1234: 1 }],
    [{ BAB1234: 1 }],
    [{ FAF1234: 1 }],
    [{ QRT1234: 1 }],
    [{ BAB1234: 1, QRT1234: 2 }],
  ])('is not met by %j', (items) => {
    expect(met(items)).toBe(false);
  });
});
