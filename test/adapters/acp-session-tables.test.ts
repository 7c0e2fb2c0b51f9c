import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quantitiesOf, sessionContextOf } from '../../src/adapters/acp/session-context.js';
import { decodeAcpSession } from '../../src/adapters/acp/session-decoder.js';
import {
  BLOCKER_MESSAGES,
  messageOfBlocker,
  messagesOfBlockers,
} from '../../src/adapters/acp/session-messages.js';
import { SESSION_STATUS } from '../../src/adapters/acp/session-status.js';
import { BLOCKERS, type BlockerCode, blocker, CHECKOUT_STATES } from '../../src/domain/index.js';
import { acpValidator, specPath, specsAvailable } from '../helpers/specs.js';

const EU_AGENT = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
const CODES = Object.keys(BLOCKERS) as BlockerCode[];

describe('BLOCKER_MESSAGES', () => {
  it('has a row for every blocker code of the domain, and no other', () => {
    expect(Object.keys(BLOCKER_MESSAGES).sort()).toEqual([...CODES].sort());
  });

  describe.skipIf(!specsAvailable)('against the 2026-04-17 schema', () => {
    const validate = acpValidator('agentic_checkout', 'MessageError');
    it.each(CODES)('projects %s as a valid MessageError', (code) => {
      const message = messageOfBlocker(
        { blocker: blocker(code, { productId: 'P-1' }), productId: 'P-1' },
        () => 0,
      );
      expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
    });
  });

  it('points a product blocker at its line, and names a product that is no line in the text', () => {
    const stock = blocker('OUT_OF_STOCK');
    expect(messageOfBlocker({ blocker: stock, productId: 'P-1' }, () => 3)).toMatchObject({
      code: 'out_of_stock',
      param: '$.line_items[3]',
    });
    const orphan = messageOfBlocker({ blocker: stock, productId: 'P-1' }, () => undefined);
    expect(orphan.param).toBeUndefined();
    expect(orphan.content).toMatch(/^P-1: The product is out of stock\./);
  });

  it('points a payment blocker at the credential', () => {
    const limit = blocker('AMOUNT_EXCEEDS_LIMIT', { total: '1', limit: '0' });
    expect(messageOfBlocker({ blocker: limit }, () => undefined)).toMatchObject({
      code: 'maximum_exceeded',
      param: '$.payment_data.instrument.credential.token',
    });
  });

  it('says each blocker once per product', () => {
    const stale = blocker('INVENTORY_STALE', { expiredAt: 'x' });
    const messages = messagesOfBlockers(
      [
        { blocker: stale, productId: 'A' },
        { blocker: stale, productId: 'A' },
        { blocker: stale, productId: 'B' },
      ],
      () => undefined,
    );
    expect(messages.map((m) => m.content.slice(0, 2))).toEqual(['A:', 'B:']);
  });
});

describe('SESSION_STATUS', () => {
  it('names every checkout state', () => {
    expect(Object.keys(SESSION_STATUS).sort()).toEqual([...CHECKOUT_STATES].sort());
  });

  it.skipIf(!specsAvailable)('names them with values of the spec status enum', () => {
    const bundle = JSON.parse(
      readFileSync(
        specPath('acp/spec/2026-04-17/json-schema/schema.agentic_checkout.json'),
        'utf8',
      ),
    );
    const allowed: string[] = bundle.$defs.CheckoutSessionBase.properties.status.enum;
    for (const status of Object.values(SESSION_STATUS)) expect(allowed).toContain(status);
  });
});

describe('sessionContextOf', () => {
  const address = (country: string) => ({
    fulfillment_details: {
      address: { name: 'n', line_one: 'l', city: 'c', state: 's', country, postal_code: 'p' },
    },
  });

  it('sells to the region of the address country, as an agent', () => {
    expect(sessionContextOf(address('de'), EU_AGENT)).toEqual(EU_AGENT);
    expect(sessionContextOf(address('US'), EU_AGENT).region).toBe('US');
    expect(sessionContextOf(address('CH'), EU_AGENT).region).toBe('CH');
  });

  it('keeps the default region without an address, and a company buyer buys as a business', () => {
    const business = sessionContextOf(
      { buyer: { email: 'a@example.com', company: { name: 'Acme' } } },
      { ...EU_AGENT, region: 'US' },
    );
    expect(business).toEqual({ region: 'US', buyerType: 'business', channel: 'agent' });
  });
});

describe('quantitiesOf', () => {
  it('counts each item entry as one unit', () => {
    expect([...quantitiesOf([{ id: 'A' }, { id: 'B' }, { id: 'A' }])]).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
  });
});

describe('decodeAcpSession', () => {
  const session = (status: string, messages: { type: string }[] = []) => ({ status, messages });

  it('claims prepare_checkout allowed only for a session ready for payment without errors', () => {
    const claim = (wire: unknown) => decodeAcpSession(wire).claims[0]?.result;
    expect(claim(session('ready_for_payment'))).toBe('allowed');
    expect(claim(session('ready_for_payment', [{ type: 'error' }]))).toBe('not_allowed');
    expect(claim(session('ready_for_payment', [{ type: 'info' }]))).toBe('allowed');
    expect(claim(session('not_ready_for_payment'))).toBe('not_allowed');
  });

  it('refuses a wire form that is not a session', () => {
    expect(() => decodeAcpSession({ status: 'ready_for_payment' })).toThrow();
  });
});
