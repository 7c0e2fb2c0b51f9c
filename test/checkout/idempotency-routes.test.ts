import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentRequestOf } from '../../src/adapters/acp/complete-request.js';
import { requestFingerprint, type SentRequest } from '../../src/services/checkout/idempotency.js';
import { IdempotencyStore } from '../../src/store/idempotency-store.js';
import { tenantKeys } from '../../src/store/keys.js';
import { AGENT_ACTOR, allowanceFor, EU_AGENT } from '../helpers/checkout-fixtures.js';
import {
  type CheckoutHarness,
  OTHER_TENANT,
  OTHER_TOKEN,
  startCheckoutHarness,
  TENANT,
  TOKEN,
} from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The one Idempotency-Key rule, route by route, through the HTTP API on the real Redis:
 * same key + same request → the original status and body with `Idempotent-Replayed: true`;
 * same key + another request → 422; a key held by a request still running → 409 with
 * Retry-After; a key belongs to one tenant. No workers run, so nothing but the requests here
 * changes a checkout.
 */

type Tenant = typeof TENANT | typeof OTHER_TENANT;
const TOKENS: Record<Tenant, string> = { [TENANT]: TOKEN, [OTHER_TENANT]: OTHER_TOKEN };

interface HttpRequest {
  method: 'POST' | 'DELETE';
  url: string;
  payload?: Record<string, unknown>;
}

/** How far a checkout is taken before the request under test. */
type Stage = 'none' | 'open' | 'with_item' | 'prepared' | 'paying';

interface RouteCase {
  route: string;
  stage: Stage;
  /** The status of the first answer (every request here is applied on a fresh setup). */
  status: number;
  request(id: string, tenant: Tenant): HttpRequest;
  /** Another request under the same key: also applied on a fresh setup, so only the key refuses it. */
  other(id: string, tenant: Tenant): HttpRequest;
  /** What the service fingerprints for `request` (the operation, its path ids and body). */
  sent(id: string, tenant: Tenant): Omit<SentRequest, 'tenant'>;
}

const ITEM = { productId: 'BAG-TRAVEL-42', quantity: 1 };
const checkoutUrl = (id: string, tail: string) => `/v1/checkouts/${id}${tail}`;
/** An allowance valid for a fixed hour, so the same body can be sent twice. */
const completeBody = (id: string, tenant: Tenant, amount = 12900) => ({
  allowance: allowanceFor(id, amount, Date.parse('2030-01-01T00:00:00Z'), tenant),
  actor: AGENT_ACTOR,
});

// Versions after each stage: open 1, with_item 2, prepared 3, paying 4.
const ROUTES: RouteCase[] = [
  {
    route: 'POST /v1/checkouts',
    stage: 'none',
    status: 201,
    request: () => ({ method: 'POST', url: '/v1/checkouts', payload: { context: EU_AGENT } }),
    other: () => ({
      method: 'POST',
      url: '/v1/checkouts',
      payload: { context: { ...EU_AGENT, region: 'US' } },
    }),
    sent: () => ({ operation: 'create', input: { context: EU_AGENT } }),
  },
  {
    route: 'POST /v1/checkouts/:id/items',
    stage: 'open',
    status: 200,
    request: (id) => ({ method: 'POST', url: checkoutUrl(id, '/items'), payload: ITEM }),
    other: (id) => ({
      method: 'POST',
      url: checkoutUrl(id, '/items'),
      payload: { ...ITEM, quantity: 2 },
    }),
    sent: (id) => ({ operation: 'add_item', checkoutId: id, input: ITEM }),
  },
  {
    route: 'DELETE /v1/checkouts/:id/items/:productId',
    stage: 'with_item',
    status: 200,
    request: (id) => ({ method: 'DELETE', url: checkoutUrl(id, '/items/BAG-TRAVEL-42') }),
    other: (id) => ({
      method: 'DELETE',
      url: checkoutUrl(id, '/items/BAG-TRAVEL-42?expectedVersion=2'),
    }),
    sent: (id) => ({
      operation: 'remove_item',
      checkoutId: id,
      input: { productId: 'BAG-TRAVEL-42' },
    }),
  },
  {
    route: 'POST /v1/checkouts/:id/prepare',
    stage: 'with_item',
    status: 200,
    request: (id) => ({ method: 'POST', url: checkoutUrl(id, '/prepare'), payload: {} }),
    other: (id) => ({
      method: 'POST',
      url: checkoutUrl(id, '/prepare'),
      payload: { expectedVersion: 2 },
    }),
    sent: (id) => ({ operation: 'prepare', checkoutId: id, input: {} }),
  },
  {
    route: 'POST /v1/checkouts/:id/complete',
    stage: 'prepared',
    status: 200,
    request: (id, tenant) => ({
      method: 'POST',
      url: checkoutUrl(id, '/complete'),
      payload: completeBody(id, tenant),
    }),
    other: (id, tenant) => ({
      method: 'POST',
      url: checkoutUrl(id, '/complete'),
      payload: completeBody(id, tenant, 20000),
    }),
    sent: (id, tenant) => ({
      operation: 'complete',
      checkoutId: id,
      input: completeBody(id, tenant),
    }),
  },
  {
    route: 'POST /v1/checkouts/:id/cancel',
    stage: 'open',
    status: 200,
    request: (id) => ({ method: 'POST', url: checkoutUrl(id, '/cancel'), payload: {} }),
    other: (id) => ({
      method: 'POST',
      url: checkoutUrl(id, '/cancel'),
      payload: { expectedVersion: 1 },
    }),
    sent: (id) => ({ operation: 'cancel', checkoutId: id, input: {} }),
  },
  {
    route: 'POST /v1/checkouts/:id/payment',
    stage: 'paying',
    status: 200,
    request: (id) => ({
      method: 'POST',
      url: checkoutUrl(id, '/payment'),
      payload: { action: 'void' },
    }),
    other: (id) => ({
      method: 'POST',
      url: checkoutUrl(id, '/payment'),
      payload: { action: 'void', expectedVersion: 4 },
    }),
    sent: (id) => ({ operation: 'payment_void', checkoutId: id, input: { action: 'void' } }),
  },
];

describe('Idempotency-Key on every mutating checkout route', () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await startCheckoutHarness({ workers: false });
  });
  afterAll(() => h.close());

  const prefix = () => h.env.KEY_PREFIX as string;
  const keys = (tenant: Tenant) => new IdempotencyStore(h.ctx.redis, prefix(), tenant);

  async function send(tenant: Tenant, request: HttpRequest, key: string) {
    const response = await h.app.inject({
      method: request.method,
      url: request.url,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
      headers: { authorization: `Bearer ${TOKENS[tenant]}`, 'idempotency-key': key },
    });
    return {
      status: response.statusCode,
      headers: response.headers as OutgoingHttpHeaders,
      body: response.json() as Record<string, unknown>,
    };
  }

  /** Every committed transition of the tenant appends one audit event: the count of changes. */
  const transitions = (tenant: Tenant) => h.ctx.redis.xlen(tenantKeys(prefix(), tenant)('audit'));

  /** A checkout of the tenant taken to `stage` (without keys); '' for a create. */
  async function setup(tenant: Tenant, stage: Stage): Promise<string> {
    if (stage === 'none') return '';
    const created = await h.service.createCheckout(tenant, { context: EU_AGENT });
    const id = created.checkout?.id as string;
    if (stage === 'open') return id;
    await h.service.addItem(tenant, id, ITEM);
    if (stage === 'with_item') return id;
    const prepared = await h.service.prepare(tenant, id, {});
    expect(prepared.outcome).toBe('applied');
    if (stage === 'prepared') return id;
    const paying = await h.service.startPayment(
      tenant,
      id,
      startPaymentRequestOf(completeBody(id, tenant)),
    );
    expect(paying.checkout?.state).toBe('completing');
    return id;
  }

  it.each(['prepare', 'cancel'])(
    'takes POST …/%s with no body and no content type',
    async (step) => {
      const id = await setup(TENANT, 'with_item');
      const response = await h.app.inject({
        method: 'POST',
        url: checkoutUrl(id, `/${step}`),
        headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': randomUUID() },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ outcome: 'applied' });
    },
  );

  describe.each(ROUTES)('$route', (route) => {
    it('answers the same key and request with the original status and body, replayed', async () => {
      const id = await setup(TENANT, route.stage);
      const key = randomUUID();
      const first = await send(TENANT, route.request(id, TENANT), key);
      expect(first.status, JSON.stringify(first.body)).toBe(route.status);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const changes = await transitions(TENANT);

      const again = await send(TENANT, route.request(id, TENANT), key);
      expect(again.status).toBe(route.status);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await transitions(TENANT)).toBe(changes);
    });

    it('refuses the same key with another request as IDEMPOTENCY_CONFLICT (422), changing nothing', async () => {
      const id = await setup(TENANT, route.stage);
      const key = randomUUID();
      expect((await send(TENANT, route.request(id, TENANT), key)).status).toBe(route.status);
      const changes = await transitions(TENANT);

      const other = await send(TENANT, route.other(id, TENANT), key);
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(await transitions(TENANT)).toBe(changes);
    });

    it('answers 409 with Retry-After while a request holding the key still runs', async () => {
      const id = await setup(TENANT, route.stage);
      const key = randomUUID();
      // The first request with this key, claimed exactly as the service claims it and still running.
      const fingerprint = requestFingerprint({ tenant: TENANT, ...route.sent(id, TENANT) });
      const held = await keys(TENANT).claim(key, fingerprint, randomUUID(), 60_000);
      expect(held.kind).toBe('claimed');
      const changes = await transitions(TENANT);

      const meanwhile = await send(TENANT, route.request(id, TENANT), key);
      expect(meanwhile.status).toBe(409);
      expect(meanwhile.body).toMatchObject({ code: 'IDEMPOTENCY_IN_FLIGHT' });
      expect(Number(meanwhile.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const otherMeanwhile = await send(TENANT, route.other(id, TENANT), key);
      expect(otherMeanwhile.status).toBe(422);
      expect(await transitions(TENANT)).toBe(changes);

      // The holder ended without an answer (a fault): the same request now runs.
      if (held.kind === 'claimed') await held.release();
      const after = await send(TENANT, route.request(id, TENANT), key);
      expect(after.status).toBe(route.status);
      expect(after.headers['idempotent-replayed']).toBeUndefined();
    });

    it("treats another tenant's use of the same key as an independent request", async () => {
      const key = randomUUID();
      const mine = await setup(TENANT, route.stage);
      const first = await send(TENANT, route.request(mine, TENANT), key);
      expect(first.status).toBe(route.status);

      const theirs = await setup(OTHER_TENANT, route.stage);
      const changes = await transitions(OTHER_TENANT);
      // Under the first tenant this would be a conflict; the other tenant's key is its own.
      const other = await send(OTHER_TENANT, route.other(theirs, OTHER_TENANT), key);
      expect(other.status, JSON.stringify(other.body)).toBe(route.status);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(await transitions(OTHER_TENANT)).toBe(changes + 1);

      // And a key held in flight by one tenant does not hold the other's.
      const heldKey = randomUUID();
      const fingerprint = requestFingerprint({ tenant: TENANT, ...route.sent(mine, TENANT) });
      expect((await keys(TENANT).claim(heldKey, fingerprint, randomUUID(), 60_000)).kind).toBe(
        'claimed',
      );
      const fresh = await setup(OTHER_TENANT, route.stage);
      const unheld = await send(OTHER_TENANT, route.request(fresh, OTHER_TENANT), heldKey);
      expect(unheld.status).toBe(route.status);

      const mineAgain = await send(TENANT, route.request(mine, TENANT), key);
      expect(mineAgain.headers['idempotent-replayed']).toBe('true');
      expect(mineAgain.body).toEqual(first.body);
    });
  });

  describe('what a key keeps', () => {
    it('replays a refused decision (422 CART_EMPTY) with its status and body', async () => {
      const id = await setup(TENANT, 'open');
      const key = randomUUID();
      const prepare = { method: 'POST', url: checkoutUrl(id, '/prepare'), payload: {} } as const;
      const first = await send(TENANT, prepare, key);
      expect(first.status).toBe(422);
      expect(first.body).toMatchObject({ outcome: 'refused' });
      const again = await send(TENANT, prepare, key);
      expect(again.status).toBe(422);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it('replays an illegal transition (409 ILLEGAL_TRANSITION) with its status and body', async () => {
      const id = await setup(TENANT, 'open');
      const cancel = { method: 'POST', url: checkoutUrl(id, '/cancel'), payload: {} } as const;
      expect((await send(TENANT, cancel, randomUUID())).status).toBe(200);
      const key = randomUUID();
      const first = await send(TENANT, cancel, key);
      expect(first.status).toBe(409);
      const again = await send(TENANT, cancel, key);
      expect(again.status).toBe(409);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it('keeps no answer for a stale expectedVersion: the race is reported, not replayed', async () => {
      const id = await setup(TENANT, 'with_item');
      const key = randomUUID();
      const stale = {
        method: 'POST',
        url: checkoutUrl(id, '/items'),
        payload: { ...ITEM, expectedVersion: 1 },
      } as const;
      const first = await send(TENANT, stale, key);
      expect(first.status).toBe(409);
      expect(await keys(TENANT).read(key)).toBeUndefined();
      const again = await send(TENANT, stale, key);
      expect(again.status).toBe(409);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
    });

    it('keeps no 5xx: after a fault the same key and request run again', async () => {
      const id = await setup(TENANT, 'open');
      const products = tenantKeys(prefix(), TENANT)('products');
      await h.ctx.redis.hset(products, 'BROKEN-1', '{not json');
      const key = randomUUID();
      const add = {
        method: 'POST',
        url: checkoutUrl(id, '/items'),
        payload: { productId: 'BROKEN-1', quantity: 1 },
      } as const;
      const failed = await send(TENANT, add, key);
      expect(failed.status).toBe(500);
      expect(await keys(TENANT).read(key)).toBeUndefined();
      expect(await h.ctx.redis.exists(keys(TENANT).claimKey(key))).toBe(0);

      // Repaired, the same request under the same key is decided (not replayed, not in flight).
      await h.ctx.redis.hdel(products, 'BROKEN-1');
      const retried = await send(TENANT, add, key);
      expect(retried.status).toBe(422);
      expect(retried.body).toMatchObject({ outcome: 'refused' });
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
    });

    it('keeps no 404: the key is free again for the same request', async () => {
      const key = randomUUID();
      const cancel = {
        method: 'POST',
        url: checkoutUrl('co_missing', '/cancel'),
        payload: {},
      } as const;
      expect((await send(TENANT, cancel, key)).status).toBe(404);
      expect(await keys(TENANT).read(key)).toBeUndefined();
      expect(await h.ctx.redis.exists(keys(TENANT).claimKey(key))).toBe(0);
    });
  });

  describe('when the request holding a key crashed', () => {
    it('frees the key once its claim expires', async () => {
      const id = await setup(TENANT, 'open');
      const key = randomUUID();
      const request = { method: 'POST', url: checkoutUrl(id, '/items'), payload: ITEM } as const;
      const fingerprint = requestFingerprint({
        tenant: TENANT,
        operation: 'add_item',
        checkoutId: id,
        input: ITEM,
      });
      // Claimed and never released, as by a process that died mid-request.
      await keys(TENANT).claim(key, fingerprint, randomUUID(), 300);
      expect((await send(TENANT, request, key)).status).toBe(409);
      const answered = await waitFor('the crashed claim to expire', async () => {
        const reply = await send(TENANT, request, key);
        return reply.status === 409 ? undefined : reply;
      });
      expect(answered.status).toBe(200);
      expect(answered.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('when one create is sent many times at once', () => {
    it('creates one checkout; every other answer is its replay or 409 with Retry-After', async () => {
      const key = randomUUID();
      const create = {
        method: 'POST',
        url: '/v1/checkouts',
        payload: { context: EU_AGENT },
      } as const;
      const changes = await transitions(TENANT);
      const answers = await Promise.all(Array.from({ length: 8 }, () => send(TENANT, create, key)));
      expect(await transitions(TENANT)).toBe(changes + 1);
      const created = answers.filter(
        (a) => a.status === 201 && a.headers['idempotent-replayed'] === undefined,
      );
      expect(created).toHaveLength(1);
      for (const answer of answers) {
        if (answer.status === 201) expect(answer.body).toEqual(created[0]?.body);
        else {
          expect(answer.status).toBe(409);
          expect(answer.headers['retry-after']).toBeDefined();
        }
      }
    });
  });
});
