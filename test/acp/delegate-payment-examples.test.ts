import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { delegatePaymentRouteSet } from '../../src/app/acp.js';
import type { AppContext } from '../../src/app-context.js';
import { manualClock } from '../../src/clock.js';
import type { App } from '../../src/http/types.js';
import { acpHeaders, buildProbeApp, PROBE_AUTH_TOKENS, RouteProbe } from '../helpers/acp-probe.js';
import { acpValidator, specPath, specsAvailable } from '../helpers/specs.js';
import { createTestContext } from '../helpers/test-context.js';

/**
 * Every example the 2026-04-17 delegate_payment spec gives — examples.delegate_payment.json and
 * the OpenAPI's request, response and error examples — sent and answered as it says. The clock
 * stands where each example's answer is dated (`created`), so its allowance is still running.
 * The examples that are not valid against their own Error schema are shown to be so, and our
 * answer in their place is.
 */

const PATH = '/agentic_commerce/delegate_payment';

type Json = Record<string, unknown>;
interface Example {
  value: Json;
}

describe.skipIf(!specsAvailable)('delegate_payment: the 2026-04-17 spec examples', () => {
  const examples = specsAvailable
    ? (JSON.parse(
        readFileSync(specPath('acp/examples/2026-04-17/examples.delegate_payment.json'), 'utf8'),
      ) as Record<string, Json>)
    : {};
  const openapi = specsAvailable
    ? (parse(
        readFileSync(specPath('acp/spec/2026-04-17/openapi/openapi.delegate_payment.yaml'), 'utf8'),
      ) as {
        paths: Record<string, { post: Json }>;
        components: { schemas: Record<string, { example: Json }> };
      })
    : undefined;
  const operation = openapi?.paths[PATH]?.post as
    | {
        requestBody: { content: { 'application/json': { examples: Record<string, Example> } } };
        responses: Record<
          string,
          { content: { 'application/json': { examples: Record<string, Example> } } }
        >;
      }
    | undefined;
  const responseExamples = (status: string) =>
    operation?.responses[status]?.content['application/json'].examples ?? {};
  const errorSchema = specsAvailable ? acpValidator('delegate_payment', 'Error') : undefined;
  const responseSchema = specsAvailable
    ? acpValidator('delegate_payment', 'DelegatePaymentResponse')
    : undefined;

  const clock = manualClock(0);
  const probe = new RouteProbe();
  let ctx: AppContext;
  let app: App;

  beforeAll(async () => {
    ctx = createTestContext({ AUTH_TOKENS: PROBE_AUTH_TOKENS }, clock);
    // Instrumented: a request can hold its key (x-probe-hold) or fail (x-probe-fault).
    app = await buildProbeApp(ctx, probe, [delegatePaymentRouteSet]);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  const send = (body: unknown, key: string | undefined, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: PATH,
      headers: acpHeaders(key, 'first', headers),
      payload: JSON.stringify(body),
    });

  const expectValidError = (body: unknown) => {
    if (errorSchema === undefined) return;
    expect(errorSchema(body), JSON.stringify(errorSchema.errors)).toBe(true);
  };

  /** The three request → 201 pairs the spec gives, with the key its answer echoes. */
  const PAIRS = () => [
    {
      name: 'examples.delegate_payment.json: delegate_payment_request',
      request: examples.delegate_payment_request as Json,
      response: examples.delegate_payment_success_response as Json,
    },
    {
      name: 'OpenAPI requestBody example card_success',
      request: operation?.requestBody.content['application/json'].examples.card_success
        ?.value as Json,
      response: responseExamples('201').created?.value as Json,
    },
    {
      name: 'OpenAPI DelegatePaymentRequest.example',
      request: openapi?.components.schemas.DelegatePaymentRequest?.example as Json,
      response: openapi?.components.schemas.DelegatePaymentResponse?.example as Json,
    },
  ];

  it.each([0, 1, 2])('answers request → 201 pair %i as the spec does', async (index) => {
    const pair = PAIRS()[index];
    if (pair === undefined) throw new Error('no such pair');
    expect(pair.request, pair.name).toBeDefined();
    const expected = pair.response as { created: string; metadata: Record<string, string> };
    clock.set(Date.parse(expected.created));
    // A fresh key per run: the example's own is kept for the metadata it echoes.
    const key = `${expected.metadata.idempotency_key}-${randomUUID()}`;
    const response = await send(pair.request, key);
    expect(response.statusCode, `${pair.name}: ${response.body}`).toBe(201);
    const body = response.json() as { id: string; created: string; metadata: Json };
    if (responseSchema !== undefined)
      expect(responseSchema(body), JSON.stringify(responseSchema.errors)).toBe(true);
    expect(Object.keys(body).sort()).toEqual(Object.keys(expected).sort());
    expect(body.id).toMatch(/^vt_/);
    expect(Date.parse(body.created)).toBe(Date.parse(expected.created));
    // The system-added fields the example shows; the request's own metadata is echoed besides.
    expect(body.metadata).toMatchObject({
      merchant_id: expected.metadata.merchant_id,
      idempotency_key: key,
    });
    expect(body.metadata).toMatchObject(pair.request.metadata as Json);
    expect(response.body).not.toContain((pair.request.payment_method as Json).number as string);
  });

  describe('errors', () => {
    const request = () => examples.delegate_payment_request as Json;
    const withCard = (card: Json) => ({
      ...request(),
      payment_method: { ...(request().payment_method as Json), ...card },
    });

    beforeAll(() => {
      clock.set(Date.parse('2025-09-29T11:00:00Z'));
    });

    /** The spec writes `param` both as `$.payment_method.x` (Error.example) and without `$.`. */
    const sameParam = (ours: unknown, theirs: unknown) =>
      expect(String(ours).replace(/^\$\./, '')).toBe(String(theirs).replace(/^\$\./, ''));

    it('delegate_payment_error_invalid_card: a card number that cannot be one, 422', async () => {
      const expected = examples.delegate_payment_error_invalid_card as Json;
      // Ends in the display_last4 it claims, fails the Luhn checksum.
      const response = await send(withCard({ number: '4242424242414242' }), randomUUID());
      expect(response.statusCode).toBe(422);
      const body = response.json();
      expectValidError(body);
      expect({ ...body, param: undefined }).toEqual({ ...expected, param: undefined });
      sameParam(body.param, expected.param);
    });

    it('OpenAPI 400 invalid_request_missing_field: no card number', async () => {
      const expected = responseExamples('400').invalid_request_missing_field?.value as Json;
      const card = { ...(request().payment_method as Json) };
      delete card.number;
      const response = await send({ ...request(), payment_method: card }, randomUUID());
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expectValidError(body);
      expect(body).toMatchObject({ type: expected.type, code: expected.code });
      sameParam(body.param, expected.param);
    });

    it('OpenAPI 422 invalid_request: an expiration month that is none', async () => {
      const expected = responseExamples('422').invalid_request?.value as Json;
      const response = await send(withCard({ exp_month: '13' }), randomUUID());
      expect(response.statusCode).toBe(422);
      const body = response.json();
      expectValidError(body);
      expect({ ...body, param: undefined }).toEqual({ ...expected, param: undefined });
      sameParam(body.param, expected.param);
    });

    it.each([
      ['delegate_payment_error_idempotency_key_required', 'idempotency_key_required'],
      ['OpenAPI 400 idempotency_key_required', 'idempotency_key_required'],
    ])('%s: no Idempotency-Key, 400', async (_name, which) => {
      const response = await send(request(), undefined);
      expect(response.statusCode).toBe(400);
      expectValidError(response.json());
      expect(response.json()).toEqual(examples[`delegate_payment_error_${which}`]);
      expect(response.json()).toEqual(responseExamples('400')[which]?.value);
    });

    it('delegate_payment_error_idempotency_conflict (and the OpenAPI 422 example): another body under a used key', async () => {
      const key = randomUUID();
      expect((await send(request(), key)).statusCode).toBe(201);
      const response = await send(withCard({ name: 'Someone Else' }), key);
      expect(response.statusCode).toBe(422);
      expectValidError(response.json());
      expect(response.json()).toEqual(examples.delegate_payment_error_idempotency_conflict);
      expect(response.json()).toEqual(responseExamples('422').idempotency_conflict?.value);
    });

    it('delegate_payment_error_idempotency_in_flight (and the OpenAPI 409 example): the key still held', async () => {
      const key = randomUUID();
      const hold = randomUUID();
      const running = send(request(), key, { 'x-probe-hold': hold });
      await probe.reached(hold);
      const response = await send(request(), key);
      probe.release(hold);
      expect((await running).statusCode).toBe(201);
      expect(response.statusCode).toBe(409);
      expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expectValidError(response.json());
      expect(response.json()).toEqual(examples.delegate_payment_error_idempotency_in_flight);
      expect(response.json()).toEqual(responseExamples('409').idempotency_in_flight?.value);
    });

    it('delegate_payment_error_rate_limit: a 429 is worded with its type and code', async () => {
      const expected = examples.delegate_payment_error_rate_limit as Json;
      const response = await send(request(), randomUUID(), { 'x-probe-fault': '429' });
      expect(response.statusCode).toBe(429);
      expectValidError(response.json());
      expect(response.json()).toMatchObject({ type: expected.type, code: expected.code });
    });

    /**
     * The OpenAPI's 401, 429, 500 and 503 examples use types and codes its Error does not list;
     * we answer those statuses with a body that is valid.
     */
    it.each([
      ['401', 'unauthorized'],
      ['429', 'rate_limit_exceeded'],
      ['500', 'internal_server_error'],
      ['503', 'service_unavailable'],
    ])('the OpenAPI %s example %s is not a valid Error; our %s is', async (status, name) => {
      const example = responseExamples(status)[name]?.value;
      expect(example).toBeDefined();
      if (errorSchema !== undefined) expect(errorSchema(example)).toBe(false);
      const response =
        status === '401'
          ? await app.inject({
              method: 'POST',
              url: PATH,
              headers: { ...acpHeaders(randomUUID()), authorization: 'Bearer nobody' },
              payload: JSON.stringify(request()),
            })
          : await send(request(), randomUUID(), { 'x-probe-fault': status });
      expect(response.statusCode).toBe(Number(status));
      expectValidError(response.json());
    });
  });
});
