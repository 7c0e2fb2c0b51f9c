import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutSessionsRouteSet, delegatePaymentRouteSet } from '../../src/app/acp.js';
import type { AppContext } from '../../src/app-context.js';
import type { App } from '../../src/http/types.js';
import {
  acpHeaders,
  buildProbeApp,
  type CallerName,
  PROBE_AUTH_TOKENS,
  probeRouteSet,
  RouteProbe,
  TENANT,
} from '../helpers/acp-probe.js';
import { delegateBody } from '../helpers/delegate-payment-fixtures.js';
import { keysMatching } from '../helpers/redis.js';
import { acpValidator, specPath, specsAvailable } from '../helpers/specs.js';
import { createTestContext } from '../helpers/test-context.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * ACP's Idempotency-Key, cell by cell, for every ACP POST endpoint in ENDPOINTS, through the
 * project's app builder on the run's Redis. Every handler is instrumented (test/helpers/acp-probe.ts):
 * it counts its runs per key, and a request can make it hold its key (`x-probe-hold`) or fail
 * (`x-probe-fault`) without changing what the key fingerprints.
 */

/** One ACP POST endpoint under test. Add the real ones here (POST /checkout_sessions, …). */
interface EndpointCase {
  name: string;
  /** A fresh target for one cell (a new session where the route names one). */
  url(app: App): string | Promise<string>;
  /** A valid body for the target. */
  body(): unknown;
  /** Another valid body for the same target: what a reused key conflicts with. */
  altBody(): unknown;
  /** Two `url()`s name two resources (a path parameter): one key may be sent to both. */
  pathParams?: boolean;
  /** The endpoint's spec has its own, narrower Error (delegate_payment): codes it words otherwise. */
  errors?: { schema: 'delegate_payment'; code(original: string, status: number): string };
  /**
   * What the same request answers when it runs again on the resource after the first did, when
   * that is not a success (cancel: the session is canceled, 405).
   */
  repeatStatus?: number;
  /** What another tenant's request answers on the resource (a session is its tenant's: 404). */
  foreignStatus?: number;
}

/** One body for the whole run: a body that changed between sends would be another request. */
const DELEGATE_BODY = delegateBody();
const DELEGATE_ALT_BODY = delegateBody({ maxAmount: 25_000 });

/** The route sets the matrix runs on: the probe's and the real ACP routes in ENDPOINTS. */
const SETS = [probeRouteSet, checkoutSessionsRouteSet, delegatePaymentRouteSet];

/** A new checkout session of the first caller's tenant (of unknown items: nothing to buy). */
async function newSession(app: App): Promise<string> {
  const created = await app.inject({
    method: 'POST',
    url: '/checkout_sessions',
    headers: acpHeaders(randomUUID()),
    payload: JSON.stringify({ currency: 'eur', capabilities: {}, line_items: [{ id: 'item_0' }] }),
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

const tokenPayment = (token: string) => ({
  handler_id: 'vault_token',
  instrument: { type: 'card', credential: { type: 'vault_token', token } },
});

const ENDPOINTS: EndpointCase[] = [
  {
    name: 'POST /probe_sessions (create, 201 + Location)',
    url: () => '/probe_sessions',
    body: () => ({
      items: [{ id: 'item_123', quantity: 1 }],
      buyer: { email: 'ada@example.com', first_name: 'Ada' },
    }),
    altBody: () => ({ items: [{ id: 'item_123', quantity: 2 }] }),
  },
  {
    name: 'POST /probe_sessions/{id}/complete (200)',
    url: () => `/probe_sessions/cs_${randomUUID()}/complete`,
    body: () => ({ payment_data: { token: 'vt_01J8Z3WXYZ9ABC', provider: 'stripe' } }),
    altBody: () => ({ payment_data: { token: 'vt_other', provider: 'stripe' } }),
    pathParams: true,
  },
  {
    name: 'POST /agentic_commerce/delegate_payment (201)',
    url: () => '/agentic_commerce/delegate_payment',
    body: () => DELEGATE_BODY,
    altBody: () => DELEGATE_ALT_BODY,
    // delegate_payment's Error enumerates its codes; the rest are worded into them.
    errors: {
      schema: 'delegate_payment',
      // Its "retry later" code for 429 and 5xx, its "fix the request" code for other 4xx.
      code: (original, status) =>
        IDEMPOTENCY_CODES.includes(original)
          ? original
          : status === 429 || status >= 500
            ? 'too_many_requests'
            : 'invalid_card',
    },
  },
  {
    name: 'POST /checkout_sessions (create_session, 201)',
    url: () => '/checkout_sessions',
    body: () => ({ currency: 'eur', capabilities: {}, line_items: [{ id: 'item_123' }] }),
    altBody: () => ({ currency: 'eur', capabilities: {}, line_items: [{ id: 'item_456' }] }),
  },
  {
    name: 'POST /checkout_sessions/{id} (update_session, 200)',
    url: async (app) => `/checkout_sessions/${await newSession(app)}`,
    body: () => ({
      selected_fulfillment_options: [
        { type: 'shipping', option_id: 'standard_shipping', item_ids: [] },
      ],
    }),
    altBody: () => ({ line_items: [{ id: 'item_456' }] }),
    pathParams: true,
    foreignStatus: 404,
  },
  {
    name: 'POST /checkout_sessions/{id}/complete (complete_session, 200)',
    url: async (app) => `/checkout_sessions/${await newSession(app)}/complete`,
    body: () => ({ payment_data: tokenPayment('vt_01J8Z3WXYZ9ABC') }),
    altBody: () => ({ payment_data: tokenPayment('vt_other') }),
    pathParams: true,
    foreignStatus: 404,
  },
  {
    name: 'POST /checkout_sessions/{id}/cancel (cancel_session, 200)',
    url: async (app) => `/checkout_sessions/${await newSession(app)}/cancel`,
    body: () => ({ intent_trace: { reason_code: 'shipping_cost', trace_summary: 'Too dear' } }),
    altBody: () => ({ intent_trace: { reason_code: 'timing_deferred', trace_summary: 'Later' } }),
    pathParams: true,
    repeatStatus: 405,
    foreignStatus: 404,
  },
];

const DAY_SECONDS = 86_400;
const IDEMPOTENCY_CODES = [
  'idempotency_key_required',
  'idempotency_in_flight',
  'idempotency_conflict',
];

// Where ../shared is missing, error bodies are checked for their shape only (specs-setup says so).
const checkoutError = specsAvailable ? acpValidator('agentic_checkout', 'Error') : undefined;
const delegateError = specsAvailable ? acpValidator('delegate_payment', 'Error') : undefined;

/**
 * An ACP `Error` answer: its status and code, valid against the endpoint's 2026-04-17 Error
 * schema (both checkout and delegate_payment Error schemas for the layer's own codes, which
 * every ACP endpoint answers).
 */
function expectAcpError(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  endpoint?: EndpointCase,
) {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  const worded = endpoint?.errors?.code(code, status) ?? code;
  expect(body).toMatchObject({ code: worded });
  expect(typeof body.message).toBe('string');
  if (endpoint?.errors === undefined && checkoutError !== undefined) {
    expect(checkoutError(body), JSON.stringify(checkoutError.errors)).toBe(true);
  }
  // delegate_payment's Error enumerates its codes: the layer's own must be among them.
  const delegateCheck = endpoint?.errors !== undefined || IDEMPOTENCY_CODES.includes(code);
  if (delegateError !== undefined && delegateCheck) {
    expect(delegateError(body), JSON.stringify(delegateError.errors)).toBe(true);
  }
  return body;
}

/** The same JSON with every object's keys in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reordered(inner)]),
  );
}

function expectFirstRun(response: LightMyRequestResponse, key: string) {
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
  expect(response.statusCode).toBeLessThan(300);
  expect(response.headers['idempotency-key']).toBe(key);
  expect(response.headers['idempotent-replayed']).toBeUndefined();
}

/** A request that ran (not a replay): a success, or the refusal `status` it is the outcome of. */
function expectRunOf(response: LightMyRequestResponse, key: string, status?: number) {
  if (status === undefined) return expectFirstRun(response, key);
  expectAcpError(response, status, response.json().code);
  expect(response.headers['idempotency-key']).toBe(key);
  expect(response.headers['idempotent-replayed']).toBeUndefined();
}

function expectReplayOf(replay: LightMyRequestResponse, first: LightMyRequestResponse) {
  expect(replay.statusCode).toBe(first.statusCode);
  expect(replay.body).toBe(first.body);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
  expect(replay.headers['content-type']).toBe(first.headers['content-type']);
  expect(replay.headers.location).toBe(first.headers.location);
}

describe('ACP Idempotency-Key', () => {
  const probe = new RouteProbe();
  let ctx: AppContext;
  let app: App;

  const post = (
    url: string,
    body: unknown,
    key: string | undefined,
    options: { caller?: CallerName; headers?: Record<string, string>; on?: App } = {},
  ) =>
    (options.on ?? app).inject({
      method: 'POST',
      url,
      headers: acpHeaders(key, options.caller, options.headers),
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  /** The tenant's keys of the layer's namespace (answers and claims). */
  const layerKeys = (tenant = TENANT) =>
    keysMatching(ctx.redis, `${ctx.config.KEY_PREFIX}:{${tenant}}:acp-idem*`);

  beforeAll(async () => {
    ctx = createTestContext({ AUTH_TOKENS: PROBE_AUTH_TOKENS });
    app = await buildProbeApp(ctx, probe, SETS);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe.each(ENDPOINTS.map((endpoint, index) => ({ ...endpoint, index })))(
    '$name',
    (endpoint) => {
      const other = ENDPOINTS[(endpoint.index + 1) % ENDPOINTS.length] as EndpointCase;

      it('refuses a request without a key (or with an empty one): 400 idempotency_key_required, nothing runs', async () => {
        const url = await endpoint.url(app);
        const before = probe.total;
        const body = expectAcpError(
          await post(url, endpoint.body(), undefined),
          400,
          'idempotency_key_required',
          endpoint,
        );
        expect(body).toEqual({
          type: 'invalid_request',
          code: 'idempotency_key_required',
          message: 'Idempotency-Key header is required',
        });
        expectAcpError(
          await post(url, endpoint.body(), ''),
          400,
          'idempotency_key_required',
          endpoint,
        );
        expect(probe.total).toBe(before);
      });

      it('refuses a key over 255 characters with a 400 naming the header; 255 are fine', async () => {
        const url = await endpoint.url(app);
        const long = 'k'.repeat(256);
        const refused = expectAcpError(
          await post(url, endpoint.body(), long),
          400,
          'idempotency_key_required',
          endpoint,
        );
        expect(refused.message).toMatch(/Idempotency-Key.*255/);
        expect(probe.runs(long)).toBe(0);

        const longest = `${randomUUID()}${'k'.repeat(255 - 36)}`;
        expectFirstRun(await post(url, endpoint.body(), longest), longest);
        expect(probe.runs(longest)).toBe(1);
      });

      it('runs the first request and answers it with the key echoed, not as a replay', async () => {
        const key = randomUUID();
        const first = await post(await endpoint.url(app), endpoint.body(), key);
        expectFirstRun(first, key);
        expect(first.headers['content-type']).toMatch(/^application\/json/);
        expect(probe.runs(key)).toBe(1);
      });

      it('replays the same request: same status, body and headers, Idempotent-Replayed: true, run once', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const first = await post(url, endpoint.body(), key);
        expectFirstRun(first, key);
        for (let i = 0; i < 3; i++) expectReplayOf(await post(url, endpoint.body(), key), first);
        expect(probe.runs(key)).toBe(1);
      });

      it('treats the same body with its keys in another order as the same request', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const first = await post(url, endpoint.body(), key);
        const shuffled = reordered(endpoint.body());
        expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(endpoint.body()));
        expectReplayOf(await post(url, shuffled, key), first);
        expect(probe.runs(key)).toBe(1);
      });

      it('refuses another body under the key with 422 idempotency_conflict, and keeps no refusal', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const first = await post(url, endpoint.body(), key);
        const conflict = await post(url, endpoint.altBody(), key);
        expect(expectAcpError(conflict, 422, 'idempotency_conflict', endpoint)).toEqual({
          type: 'invalid_request',
          code: 'idempotency_conflict',
          message: 'Idempotency-Key has already been used with a different request body',
        });
        expect(conflict.headers['idempotency-key']).toBe(key);
        expect(conflict.headers['idempotent-replayed']).toBeUndefined();
        expectReplayOf(await post(url, endpoint.body(), key), first);
        expect(probe.runs(key)).toBe(1);
      });

      it('answers 409 idempotency_in_flight with an integer Retry-After while the first still runs', async () => {
        const key = randomUUID();
        const hold = randomUUID();
        const url = await endpoint.url(app);
        const running = post(url, endpoint.body(), key, { headers: { 'x-probe-hold': hold } });
        await probe.reached(hold);

        const again = await post(url, endpoint.body(), key);
        expectAcpError(again, 409, 'idempotency_in_flight', endpoint);
        expect(again.json().message).toBe(
          'A request with this Idempotency-Key is currently being processed',
        );
        expect(again.headers['retry-after']).toMatch(/^[1-9]\d*$/);
        expect(again.headers['idempotency-key']).toBe(key);
        // Another body under a key that is answering is a conflict, running or not.
        expectAcpError(
          await post(url, endpoint.altBody(), key),
          422,
          'idempotency_conflict',
          endpoint,
        );

        probe.release(hold);
        const first = await running;
        expectFirstRun(first, key);
        expectReplayOf(await post(url, endpoint.body(), key), first);
        expect(probe.runs(key)).toBe(1);
      });

      it.each([500, 503])('keeps no %i answer: the same request runs again', async (status) => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const failed = await post(url, endpoint.body(), key, {
          headers: { 'x-probe-fault': String(status) },
        });
        expectAcpError(
          failed,
          status,
          status === 503 ? 'service_unavailable' : 'internal_error',
          endpoint,
        );
        expect(failed.headers['idempotent-replayed']).toBeUndefined();

        const retried = await post(url, endpoint.body(), key);
        expectFirstRun(retried, key);
        expect(probe.runs(key)).toBe(2);
        expectReplayOf(await post(url, endpoint.body(), key), retried);
        expect(probe.runs(key)).toBe(2);
      });

      it('keeps a client error that is the outcome (422): replayed, and the key is used', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const refused = await post(url, endpoint.body(), key, {
          headers: { 'x-probe-fault': '422' },
        });
        expectAcpError(refused, 422, 'injected_refusal', endpoint);

        expectReplayOf(await post(url, endpoint.body(), key), refused);
        expectAcpError(
          await post(url, endpoint.altBody(), key),
          422,
          'idempotency_conflict',
          endpoint,
        );
        expect(probe.runs(key)).toBe(1);
      });

      it.each([409, 429])(
        'keeps no %i (retry later): the same request runs again',
        async (status) => {
          const key = randomUUID();
          const url = await endpoint.url(app);
          const later = await post(url, endpoint.body(), key, {
            headers: { 'x-probe-fault': String(status) },
          });
          expectAcpError(later, status, 'injected_refusal', endpoint);
          expectFirstRun(await post(url, endpoint.body(), key), key);
          expect(probe.runs(key)).toBe(2);
        },
      );

      it('keeps the answer at least 24 h, and no claim once answered', async () => {
        // The target first: making one (a new session) keeps an answer of its own.
        const url = await endpoint.url(app);
        const before = new Set(await layerKeys());
        const key = randomUUID();
        expectFirstRun(await post(url, endpoint.body(), key), key);
        const added = (await layerKeys()).filter((name) => !before.has(name));
        expect(added).toHaveLength(1);
        const [record] = added as [string];
        expect(record).not.toMatch(/-claim:/);
        const ttlMs = await ctx.redis.pttl(record);
        expect(ttlMs).toBeGreaterThan(DAY_SECONDS * 1000 - 60_000);
        expect(ttlMs).toBeLessThanOrEqual(ctx.config.IDEMPOTENCY_TTL_SECONDS * 1000);
        expect(ctx.config.IDEMPOTENCY_TTL_SECONDS).toBeGreaterThanOrEqual(DAY_SECONDS);
      });

      it('scopes the key to the tenant: another tenant with the same key and body runs', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const mine = await post(url, endpoint.body(), key);
        const theirs = await post(url, endpoint.body(), key, { caller: 'otherTenant' });
        expectRunOf(theirs, key, endpoint.foreignStatus);
        expect(theirs.body).not.toBe(mine.body);
        expect(probe.runs(key)).toBe(2);
        // Each tenant's answer stays its own.
        expectReplayOf(await post(url, endpoint.body(), key), mine);
        expectReplayOf(await post(url, endpoint.body(), key, { caller: 'otherTenant' }), theirs);
      });

      it('scopes the key to the caller: another credential of the tenant runs, even with another body', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const mine = await post(url, endpoint.body(), key);
        const second = await post(url, endpoint.altBody(), key, { caller: 'second' });
        expectRunOf(second, key, endpoint.repeatStatus);
        expect(probe.runs(key)).toBe(2);
        expectReplayOf(await post(url, endpoint.body(), key), mine);
      });

      it('scopes the key to the endpoint: the same key on another route runs', async () => {
        const key = randomUUID();
        expectFirstRun(await post(await endpoint.url(app), endpoint.body(), key), key);
        expectFirstRun(await post(await other.url(app), other.body(), key), key);
        expect(probe.runs(key)).toBe(2);
      });

      it('leaves no claim for a body the route schema refuses: corrected, it runs under the same key', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const refused = await post(url, 42, key);
        expectAcpError(refused, 400, 'invalid_request', endpoint);
        expect(probe.runs(key)).toBe(0);
        expect((await layerKeys()).filter((name) => name.includes('-claim:'))).toEqual([]);
        expectFirstRun(await post(url, endpoint.body(), key), key);
        expect(probe.runs(key)).toBe(1);
      });

      it('replays after a restart: a new app instance on the same Redis', async () => {
        const key = randomUUID();
        const url = await endpoint.url(app);
        const first = await post(url, endpoint.body(), key);
        const restartedCtx = createTestContext({
          AUTH_TOKENS: PROBE_AUTH_TOKENS,
          KEY_PREFIX: ctx.config.KEY_PREFIX,
        });
        const restarted = await buildProbeApp(restartedCtx, probe, SETS);
        try {
          expectReplayOf(await post(url, endpoint.body(), key, { on: restarted }), first);
          expect(probe.runs(key)).toBe(1);
        } finally {
          await restarted.close();
          await restartedCtx.close();
        }
      });

      it('runs 20 concurrent requests under one key once: every answer is the kept one or 409', async () => {
        const key = randomUUID();
        const hold = randomUUID();
        const path = await endpoint.url(app);
        const { port } = app.server.address() as AddressInfo;
        let answered = 0;
        let halfAnswered: () => void = () => {};
        const half = new Promise<void>((resolve) => {
          halfAnswered = resolve;
        });
        const requests = Array.from({ length: 20 }, async () => {
          const response = await fetch(`http://127.0.0.1:${port}${path}`, {
            method: 'POST',
            headers: acpHeaders(key, 'first', { 'x-probe-hold': hold }),
            body: JSON.stringify(endpoint.body()),
          });
          const answer = {
            status: response.status,
            body: await response.text(),
            replayed: response.headers.get('idempotent-replayed'),
            retryAfter: response.headers.get('retry-after'),
            echoed: response.headers.get('idempotency-key'),
          };
          if (++answered === 10) halfAnswered();
          return answer;
        });
        await probe.reached(hold);
        // Half the others are answered while the first holds the key; the rest may come after it.
        await half;
        probe.release(hold);
        const answers = await Promise.all(requests);

        expect(probe.runs(key)).toBe(1);
        const ran = answers.filter((answer) => answer.status < 300 && answer.replayed === null);
        expect(ran).toHaveLength(1);
        const kept = ran[0] as (typeof answers)[number];
        for (const answer of answers) {
          expect(answer.echoed).toBe(key);
          if (answer.status === 409) {
            expect(JSON.parse(answer.body)).toMatchObject({ code: 'idempotency_in_flight' });
            expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
          } else {
            expect(answer.status).toBe(kept.status);
            expect(answer.body).toBe(kept.body);
          }
        }
        expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThanOrEqual(10);
      });
    },
  );

  describe.each(ENDPOINTS.filter((endpoint) => endpoint.pathParams))('$name', (endpoint) => {
    it('scopes the key to the path parameters: the same key and body on another resource runs', async () => {
      const key = randomUUID();
      const [one, two] = [await endpoint.url(app), await endpoint.url(app)];
      expect(one).not.toBe(two);
      expectFirstRun(await post(one, endpoint.body(), key), key);
      expectFirstRun(await post(two, endpoint.body(), key), key);
      expect(probe.runs(key)).toBe(2);
    });
  });
});

describe('ACP Idempotency-Key held by a request that never finishes', () => {
  const CLAIM_TTL_MS = 1_000;
  /** Redis stamps a PX expiry with its cached clock, which lags on a loaded machine. */
  const REDIS_CLOCK_SLACK_MS = 250;
  const probe = new RouteProbe();
  let crashedCtx: AppContext;
  let survivorCtx: AppContext;
  let crashed: App;
  let survivor: App;

  beforeAll(async () => {
    crashedCtx = createTestContext({
      AUTH_TOKENS: PROBE_AUTH_TOKENS,
      IDEMPOTENCY_CLAIM_TTL_MS: String(CLAIM_TTL_MS),
    });
    survivorCtx = createTestContext({
      AUTH_TOKENS: PROBE_AUTH_TOKENS,
      IDEMPOTENCY_CLAIM_TTL_MS: String(CLAIM_TTL_MS),
      KEY_PREFIX: crashedCtx.config.KEY_PREFIX,
    });
    crashed = await buildProbeApp(crashedCtx, probe, SETS);
    survivor = await buildProbeApp(survivorCtx, probe, SETS);
  });

  afterAll(async () => {
    await crashed?.close();
    await survivor?.close();
    await crashedCtx?.close();
    await survivorCtx?.close();
  });

  it.each(ENDPOINTS)(
    '$name: the claim expires after the claim TTL and a retry runs',
    async (endpoint) => {
      const key = randomUUID();
      const hold = randomUUID();
      const url = await endpoint.url(survivor);
      const send = (on: App, headers: Record<string, string> = {}) =>
        on.inject({
          method: 'POST',
          url,
          headers: acpHeaders(key, 'first', headers),
          payload: JSON.stringify(endpoint.body()),
        });
      const stuck = send(crashed, { 'x-probe-hold': hold });
      await probe.reached(hold);
      const startedMs = Date.now();

      // Until the claim expires the key answers 409; then the retry runs.
      const retried = await waitFor('the stuck claim to expire', async () => {
        const response = await send(survivor);
        if (response.statusCode === 409) return undefined;
        return response;
      });
      expect(Date.now() - startedMs).toBeGreaterThanOrEqual(CLAIM_TTL_MS - REDIS_CLOCK_SLACK_MS);
      expectFirstRun(retried, key);
      expect(probe.runs(key)).toBe(2);

      // The stuck request finishing late keeps nothing over the retry's answer.
      probe.release(hold);
      const late = await stuck;
      if (endpoint.repeatStatus === undefined) expect(late.statusCode).toBeLessThan(300);
      else expect(late.statusCode).toBe(endpoint.repeatStatus);
      expectReplayOf(await send(survivor), retried);
    },
  );
});

describe.skipIf(!specsAvailable)('ACP Idempotency-Key errors and the spec examples', () => {
  it('answers exactly the 2026-04-17 examples for a missing key, a conflict and a request in flight', async () => {
    const examples = JSON.parse(
      readFileSync(specPath('acp/examples/2026-04-17/examples.agentic_checkout.json'), 'utf8'),
    );
    const probe = new RouteProbe();
    const ctx = createTestContext({ AUTH_TOKENS: PROBE_AUTH_TOKENS });
    const app = await buildProbeApp(ctx, probe, SETS);
    try {
      const key = randomUUID();
      const hold = randomUUID();
      const send = (body: unknown, k: string | undefined, headers: Record<string, string> = {}) =>
        app.inject({
          method: 'POST',
          url: '/probe_sessions',
          headers: acpHeaders(k, 'first', headers),
          payload: JSON.stringify(body),
        });
      const body = { items: [{ id: 'item_123', quantity: 1 }] };
      expect((await send(body, undefined)).json()).toEqual(
        examples.error_400_idempotency_key_required,
      );
      const running = send(body, key, { 'x-probe-hold': hold });
      await probe.reached(hold);
      expect((await send(body, key)).json()).toEqual(examples.error_409_idempotency_in_flight);
      probe.release(hold);
      await running;
      expect((await send({ items: [{ id: 'item_456', quantity: 1 }] }, key)).json()).toEqual(
        examples.error_422_idempotency_conflict,
      );
    } finally {
      await app.close();
      await ctx.close();
    }
  });
});
