import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACP_ROUTE_SETS, acpRoutesOf, delegatePaymentRouteSet } from '../../src/app/acp.js';
import { delegatedPaymentsOf } from '../../src/app/delegated-payments.js';
import type { AppContext } from '../../src/app-context.js';
import { manualClock } from '../../src/clock.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { tenantKeys } from '../../src/store/keys.js';
import {
  acpHeaders,
  type CALLER_TOKENS,
  OTHER_TENANT,
  PROBE_AUTH_TOKENS,
  TENANT,
} from '../helpers/acp-probe.js';
import { delegateBody, TEST_CVC, TEST_PAN } from '../helpers/delegate-payment-fixtures.js';
import { keysMatching } from '../helpers/redis.js';
import { acpValidator, specsAvailable } from '../helpers/specs.js';
import { createTestContext } from '../helpers/test-context.js';

/**
 * `POST /agentic_commerce/delegate_payment` (openapi.delegate_payment.yaml, 2026-04-17) through
 * the project's app builder on the run's Redis: the vault token it mints and stores per tenant,
 * and every refusal in the spec's own (narrower) Error, valid against its JSON Schema.
 */

const PATH = '/agentic_commerce/delegate_payment';
const NOW = Date.parse('2026-06-28T09:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const responseSchema = specsAvailable
  ? acpValidator('delegate_payment', 'DelegatePaymentResponse')
  : undefined;
const errorSchema = specsAvailable ? acpValidator('delegate_payment', 'Error') : undefined;
const requestSchema = specsAvailable
  ? acpValidator('delegate_payment', 'DelegatePaymentRequest')
  : undefined;

/** A 201 answer: a valid DelegatePaymentResponse, never an echo of the card. */
function expectToken(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json();
  if (responseSchema !== undefined)
    expect(responseSchema(body), JSON.stringify(responseSchema.errors)).toBe(true);
  expect(body.id).toMatch(/^vt_[0-9a-f]{32}$/);
  expect(response.body).not.toContain(TEST_PAN);
  return body as { id: string; created: string; metadata: Record<string, string> };
}

/** An error answer: a valid delegate_payment Error, never an echo of the card. */
function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(body).toMatchObject({ code });
  if (errorSchema !== undefined)
    expect(errorSchema(body), JSON.stringify(errorSchema.errors)).toBe(true);
  expect(response.body).not.toContain(TEST_PAN);
  expect(response.body).not.toContain(TEST_CVC);
  return body as { type: string; code: string; message: string; param?: string };
}

type Body = ReturnType<typeof delegateBody>;
type Json = Record<string, unknown>;

/** The fixture with one change made to a copy. */
function changed(change: (body: Body & Json) => void): Body {
  const body = structuredClone(delegateBody({ nowMs: NOW })) as Body & Json;
  change(body);
  return body;
}

describe('POST /agentic_commerce/delegate_payment', () => {
  const clock = manualClock(NOW);
  let ctx: AppContext;
  let app: App;

  const send = (
    body: unknown,
    options: { key?: string | null; caller?: keyof typeof CALLER_TOKENS; headers?: Json } = {},
  ) =>
    app.inject({
      method: 'POST',
      url: PATH,
      headers: {
        ...acpHeaders(
          options.key === null ? undefined : (options.key ?? randomUUID()),
          options.caller,
        ),
        ...(options.headers as Record<string, string> | undefined),
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** The vault keys of a tenant (to see that a refusal stored nothing). */
  const vaultKeys = async (tenant = TENANT) =>
    keysMatching(ctx.redis, `${tenantKeys(ctx.config.KEY_PREFIX, tenant)('acp', 'vault')}:*`);

  beforeAll(async () => {
    ctx = createTestContext({ AUTH_TOKENS: PROBE_AUTH_TOKENS }, clock);
    app = await buildApp(ctx, [{ publicRoutes: acpRoutesOf([delegatePaymentRouteSet]) }]);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('is one of the ACP route sets the acp feature mounts, guarded, in its own error dialect', () => {
    expect(ACP_ROUTE_SETS).toContain(delegatePaymentRouteSet);
    expect(delegatePaymentRouteSet).toMatchObject({ guarded: true, errors: expect.any(Function) });
  });

  it('sends a request body that is a valid DelegatePaymentRequest (the fixture is the spec’s)', () => {
    if (requestSchema === undefined) return;
    const body = delegateBody({ nowMs: NOW });
    expect(requestSchema(body), JSON.stringify(requestSchema.errors)).toBe(true);
  });

  it('mints a vault token: 201, created now, the metadata echoed with merchant and key', async () => {
    const key = randomUUID();
    const token = expectToken(await send(delegateBody({ nowMs: NOW }), { key }));
    expect(Date.parse(token.created)).toBe(NOW);
    expect(token.metadata).toEqual({ campaign: 'test', merchant_id: 'acme', idempotency_key: key });
  });

  it('echoes Request-Id on a 201, a replay and a refusal', async () => {
    const key = randomUUID();
    const body = delegateBody({ nowMs: NOW });
    const headers = { 'request-id': 'req_123' };
    expect((await send(body, { key, headers })).headers['request-id']).toBe('req_123');
    const replay = await send(body, { key, headers: { 'request-id': 'req_456' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['request-id']).toBe('req_456');
    expect((await send(42, { headers })).headers['request-id']).toBe('req_123');
    expect((await send(body, { key: null, headers })).headers['request-id']).toBe('req_123');
    expect((await send(body)).headers['request-id']).toBeUndefined();
  });

  it('stores the token for the tenant until the allowance expires: the allowance and a card summary, never the number or CVC', async () => {
    const body = delegateBody({ nowMs: NOW, lifetimeMs: 3 * HOUR });
    const { id } = expectToken(await send(body));
    const stored = await delegatedPaymentsOf(ctx).token(TENANT, id);
    expect(stored).toEqual({
      id,
      allowance: body.allowance,
      instrument: {
        type: 'card',
        brand: 'visa',
        last4: '4242',
        expMonth: '12',
        expYear: body.payment_method.exp_year,
      },
      providerRef: id,
      createdAt: new Date(NOW).toISOString(),
      metadata: { campaign: 'test' },
    });
    const key = tenantKeys(ctx.config.KEY_PREFIX, TENANT)('acp', 'vault', id);
    const raw = (await ctx.redis.get(key)) ?? '';
    // The token id is random hex and may hold the CVC's digits by chance: look past it.
    const withoutId = raw.replaceAll(id, '<id>');
    expect(withoutId).toContain('<id>');
    expect(withoutId).not.toContain(TEST_PAN);
    expect(withoutId).not.toContain(TEST_CVC);
    expect(withoutId).not.toContain('Ada Lovelace');
    const ttlMs = await ctx.redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(3 * HOUR - 60_000);
    expect(ttlMs).toBeLessThanOrEqual(3 * HOUR);
  });

  it('lets no other tenant use a token: the lookup is per tenant, and the same id is unknown there', async () => {
    const { id } = expectToken(await send(delegateBody({ nowMs: NOW })));
    expect(await delegatedPaymentsOf(ctx).token(TENANT, id)).toBeDefined();
    expect(await delegatedPaymentsOf(ctx).token(OTHER_TENANT, id)).toBeUndefined();
    // The other tenant's own token is its own, and not this tenant's.
    const theirs = expectToken(await send(delegateBody({ nowMs: NOW }), { caller: 'otherTenant' }));
    expect(await delegatedPaymentsOf(ctx).token(OTHER_TENANT, theirs.id)).toBeDefined();
    expect(await delegatedPaymentsOf(ctx).token(TENANT, theirs.id)).toBeUndefined();
  });

  it('keeps a network token without a last four of its own number', async () => {
    const body = changed((b) => {
      b.payment_method.card_number_type = 'network_token';
      b.payment_method.display_last4 = '1111';
      Object.assign(b.payment_method, {
        cryptogram: 'AgAAAAAABk4DWZ4C28yUQAAAAAA=',
        eci_value: '05',
      });
    });
    const { id } = expectToken(await send(body));
    const stored = await delegatedPaymentsOf(ctx).token(TENANT, id);
    expect(stored?.instrument.last4).toBe('1111');
    expect(JSON.stringify(stored)).not.toContain('AgAAAAAABk4DWZ4C28yUQAAAAAA=');
  });

  it('takes a risk signal recommending manual review (it is reviewed at payment time)', async () => {
    const body = changed((b) => {
      b.risk_signals = [{ type: 'card_testing', score: 40, action: 'manual_review' }];
    });
    expectToken(await send(body));
  });

  /** [name, body, status, param, message fragment] — each refused, nothing stored. */
  const REFUSALS: [string, unknown, number, string | undefined, RegExp][] = [
    ['a body that is not an object', 42, 400, undefined, /./],
    [
      'no payment_method',
      changed((b) => delete (b as Json).payment_method),
      400,
      '$.payment_method',
      /./,
    ],
    [
      'no card number',
      changed((b) => delete (b.payment_method as Json).number),
      400,
      '$.payment_method.number',
      /./,
    ],
    [
      'a payment method other than card',
      changed((b) => {
        (b.payment_method as Json).type = 'bank_account';
      }),
      400,
      '$.payment_method.type',
      /./,
    ],
    [
      'an unknown card_number_type',
      changed((b) => {
        (b.payment_method as Json).card_number_type = 'dpan';
      }),
      400,
      '$.payment_method.card_number_type',
      /./,
    ],
    [
      'a field the spec does not define',
      changed((b) => {
        (b.payment_method as Json).track2 = '4242';
      }),
      400,
      '$.payment_method.track2',
      /track2/,
    ],
    [
      'an upper-case currency',
      changed((b) => {
        b.allowance.currency = 'EUR';
      }),
      400,
      '$.allowance.currency',
      /./,
    ],
    [
      'a currency that is not ISO 4217',
      changed((b) => {
        b.allowance.currency = 'xyz';
      }),
      400,
      '$.allowance.currency',
      /ISO 4217/,
    ],
    [
      'a reason other than one_time',
      changed((b) => {
        b.allowance.reason = 'recurring';
      }),
      400,
      '$.allowance.reason',
      /./,
    ],
    [
      'a fractional max_amount',
      changed((b) => {
        b.allowance.max_amount = 12.5;
      }),
      400,
      '$.allowance.max_amount',
      /./,
    ],
    [
      'an expires_at that is not a date-time',
      changed((b) => {
        b.allowance.expires_at = 'tomorrow';
      }),
      400,
      '$.allowance.expires_at',
      /./,
    ],
    [
      'no risk_signals',
      changed((b) => delete (b as Json).risk_signals),
      400,
      '$.risk_signals',
      /./,
    ],
    [
      'a billing country of three letters',
      changed((b) => {
        b.billing_address.country = 'GBR';
      }),
      400,
      '$.billing_address.country',
      /./,
    ],
    [
      'a metadata value that is not a string',
      changed((b) => {
        (b.metadata as Json).n = 1;
      }),
      400,
      '$.metadata.n',
      /./,
    ],
    [
      'a card number failing its checksum',
      changed((b) => {
        b.payment_method.number = '4242424242414242';
      }),
      422,
      '$.payment_method.number',
      /^Invalid card number provided$/,
    ],
    [
      'a card number with letters',
      changed((b) => {
        b.payment_method.number = '4242-4242-4242-4242';
      }),
      422,
      '$.payment_method.number',
      /Invalid card number/,
    ],
    [
      'an expiration month 13',
      changed((b) => {
        b.payment_method.exp_month = '13';
      }),
      422,
      '$.payment_method.exp_month',
      /^Invalid card expiration month$/,
    ],
    [
      'an expiration year of two digits',
      changed((b) => {
        b.payment_method.exp_year = '28';
      }),
      422,
      '$.payment_method.exp_year',
      /^Invalid card expiration year$/,
    ],
    [
      'a CVC with letters',
      changed((b) => {
        b.payment_method.cvc = '12a';
      }),
      422,
      '$.payment_method.cvc',
      /verification code/,
    ],
    [
      'a last four that is not the number’s',
      changed((b) => {
        b.payment_method.display_last4 = '1111';
      }),
      422,
      '$.payment_method.display_last4',
      /display_last4/,
    ],
    [
      'an expired card',
      changed((b) => {
        b.payment_method.exp_month = '05';
        b.payment_method.exp_year = '2026';
      }),
      422,
      '$.payment_method.exp_year',
      /expired at the end of 2026-05/,
    ],
    [
      'an allowance already expired',
      changed((b) => {
        b.allowance.expires_at = '2026-06-28T08:59:59Z';
      }),
      422,
      '$.allowance.expires_at',
      /expired at 2026-06-28T08:59:59Z/,
    ],
    [
      'an allowance expiring too far out',
      changed((b) => {
        b.allowance.expires_at = new Date(NOW + 31 * DAY).toISOString();
      }),
      422,
      '$.allowance.expires_at',
      /later than the latest accepted/,
    ],
    [
      'a max_amount of zero',
      changed((b) => {
        b.allowance.max_amount = 0;
      }),
      422,
      '$.allowance.max_amount',
      /at most 0 minor units/,
    ],
    [
      'a negative max_amount',
      changed((b) => {
        b.allowance.max_amount = -100;
      }),
      422,
      '$.allowance.max_amount',
      /at most -100 minor units/,
    ],
    [
      'a risk signal recommending a block',
      changed((b) => {
        b.risk_signals = [{ type: 'card_testing', score: 95, action: 'blocked' }];
      }),
      422,
      '$.risk_signals',
      /card_testing.*recommends blocking/,
    ],
  ];

  it.each(REFUSALS)(
    'refuses %s: invalid_card naming the field, nothing stored',
    async (_name, body, status, param, message) => {
      const before = (await vaultKeys()).length;
      const error = expectError(await send(body), status, 'invalid_card');
      expect(error.type).toBe('invalid_request');
      if (param !== undefined) expect(error.param).toBe(param);
      expect(error.message).toMatch(message);
      expect((await vaultKeys()).length).toBe(before);
    },
  );

  it('names every refused delegation rule in the message, the first one’s field as param', async () => {
    const body = changed((b) => {
      b.allowance.max_amount = 0;
      b.risk_signals = [{ type: 'card_testing', score: 95, action: 'blocked' }];
    });
    const error = expectError(await send(body), 422, 'invalid_card');
    expect(error.param).toBe('$.allowance.max_amount');
    expect(error.message).toMatch(/minor units.*recommends blocking/);
  });

  it('accepts an allowance expiring exactly at the end of the accepted lifetime', async () => {
    const body = changed((b) => {
      b.allowance.expires_at = new Date(
        NOW + ctx.config.ACP_ALLOWANCE_MAX_LIFETIME_SECONDS * 1000,
      ).toISOString();
    });
    expectToken(await send(body));
  });

  it('answers a caller without a bearer token 401 in delegate_payment’s Error, with the challenge', async () => {
    const response = await app.inject({
      method: 'POST',
      url: PATH,
      headers: {
        'content-type': 'application/json',
        'api-version': '2026-04-17',
        'idempotency-key': randomUUID(),
      },
      payload: JSON.stringify(delegateBody({ nowMs: NOW })),
    });
    const error = expectError(response, 401, 'invalid_card');
    expect(error.message).toMatch(/^unauthorized: /);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="acp"');
  });

  it.each([
    ['missing', undefined, /^missing_api_version: /],
    ['unsupported', '2025-09-29', /^unsupported_api_version: /],
  ])(
    'answers a %s API-Version 400 with the supported versions',
    async (_name, version, message) => {
      const headers = acpHeaders(randomUUID());
      if (version === undefined) delete headers['api-version'];
      else headers['api-version'] = version;
      const response = await app.inject({
        method: 'POST',
        url: PATH,
        headers,
        payload: JSON.stringify(delegateBody({ nowMs: NOW })),
      });
      const error = expectError(response, 400, 'invalid_card') as Json;
      expect(error.message).toMatch(message);
      expect(error.supported_versions).toEqual(['2026-04-17']);
    },
  );

  it('answers a request without Idempotency-Key 400 idempotency_key_required, nothing stored', async () => {
    const before = (await vaultKeys()).length;
    const error = expectError(
      await send(delegateBody({ nowMs: NOW }), { key: null }),
      400,
      'idempotency_key_required',
    );
    expect(error).toEqual({
      type: 'invalid_request',
      code: 'idempotency_key_required',
      message: 'Idempotency-Key header is required',
    });
    expect((await vaultKeys()).length).toBe(before);
  });

  it('answers a replay with the same token and a reused key with another body 422 idempotency_conflict', async () => {
    const key = randomUUID();
    const body = delegateBody({ nowMs: NOW });
    const first = await send(body, { key });
    const token = expectToken(first);
    const again = await send(body, { key });
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const conflict = expectError(
      await send(delegateBody({ nowMs: NOW, maxAmount: 1 }), { key }),
      422,
      'idempotency_conflict',
    );
    expect(conflict.type).toBe('invalid_request');
    expect(await delegatedPaymentsOf(ctx).token(TENANT, token.id)).toBeDefined();
  });

  it.each([
    ['text/plain', 'not json', 415],
    ['application/json', '{"payment_method": ', 400],
    ['application/json', `{"payment_method": {"number": "${TEST_PAN}x", "cvc": "${TEST_CVC}"`, 400],
    ['application/json', '', 400],
  ])('answers a body of %s %j in the Error', async (contentType, payload, status) => {
    const response = await app.inject({
      method: 'POST',
      url: PATH,
      headers: { ...acpHeaders(randomUUID()), 'content-type': contentType },
      payload,
    });
    expectError(response, status, 'invalid_card');
    expect(response.body).not.toMatch(/4242424242|987/);
  });

  it('answers a body over the limit 413 in the Error', async () => {
    const body = changed((b) => {
      (b.metadata as Json).big = 'x'.repeat(1_100_000);
    });
    expectError(await send(body), 413, 'invalid_card');
  });
});
