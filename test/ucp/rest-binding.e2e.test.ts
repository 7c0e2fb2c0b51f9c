import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { UCP_ROUTE_OPERATIONS } from '../../src/app/ucp.js';
import { startUcpHarness, type UcpAnswer, type UcpHarness } from '../helpers/ucp-harness.js';
import { expectUcp } from '../helpers/ucp-schemas.js';

/**
 * The REST binding's edges over real HTTP: authentication, negotiation against the loopback
 * platform's profiles, Idempotency-Key, bad input, and the catalog answering from the stored
 * profiles. A protocol error is `{code, content}` (the spec publishes no schema for it); a
 * business outcome is a 200 error_response, checked against the 2026-04-08 schema.
 */

const REST = '/ucp/v1';
const BACKPACK = 'BAG-TRAVEL-42';
const createBody = { line_items: [{ item: { id: BACKPACK }, quantity: 1 }] };

/** A protocol error: status, `{code, content}` and nothing the spec does not name. */
function protocolError(res: UcpAnswer, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toEqual({ code, content: expect.any(String) });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body;
}

/** A business outcome with no resource: 200 and a UCP error_response. */
function errorResponse(res: UcpAnswer, code: string) {
  expect(res.status, res.text).toBe(200);
  expectUcp('error', res.body);
  expect(res.body.ucp.status).toBe('error');
  expect(res.body.messages).toEqual([expect.objectContaining({ type: 'error', code })]);
  return res.body;
}

/** A request for every route of the binding, with a body it would accept. */
function requestFor(route: string): [method: string, path: string, body?: unknown] {
  const [method = '', path = ''] = route.split(' ');
  const concrete = `${REST}${path.replace(':id', 'chk_any')}`;
  const bodies: Record<string, unknown> = {
    'POST /checkout-sessions': createBody,
    'PUT /checkout-sessions/:id': createBody,
    'POST /checkout-sessions/:id/complete': {
      payment: { instruments: [{ id: 'i', handler_id: 'h', type: 'card' }] },
    },
    'POST /catalog/search': { query: 'backpack' },
    'POST /catalog/lookup': { ids: [BACKPACK] },
    'POST /catalog/product': { id: BACKPACK },
  };
  return [method, concrete, bodies[route]];
}

describe('the UCP REST binding at its edges', () => {
  let h: UcpHarness;
  beforeAll(async () => {
    h = await startUcpHarness();
  });
  afterAll(() => h?.close());

  describe('authentication', () => {
    it('refuses a request without credentials with 401 and a Bearer challenge', async () => {
      const res = await h.call('POST', `${REST}/checkout-sessions`, createBody, { auth: 'none' });
      protocolError(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ucp"');
    });

    it('refuses a token no tenant holds', async () => {
      const res = await h.call(
        'POST',
        `${REST}/catalog/search`,
        { query: 'x' },
        {
          headers: { authorization: 'Bearer not-a-token-of-anyone' },
        },
      );
      protocolError(res, 401, 'unauthorized');
    });

    it('takes the tenant key as X-API-Key as well as a bearer token', async () => {
      const res = await h.call('POST', `${REST}/checkout-sessions`, createBody, {
        auth: 'api-key',
      });
      expect(res.status, res.text).toBe(201);
      expectUcp('checkout', res.body);
    });

    it('echoes Request-Id on refusals too', async () => {
      const res = await h.call('GET', `${REST}/orders/ord_x`, undefined, {
        auth: 'none',
        headers: { 'request-id': 'req-refused-7' },
      });
      expect(res.status).toBe(401);
      expect(res.headers['request-id']).toBe('req-refused-7');
    });
  });

  describe('negotiation', () => {
    it('refuses a request without UCP-Agent with 400 invalid_profile_url', async () => {
      const res = await h.call('POST', `${REST}/catalog/search`, { query: 'x' }, { agent: null });
      protocolError(res, 400, 'invalid_profile_url');
    });

    it('refuses a UCP-Agent that is not a structured-field dictionary with a profile', async () => {
      for (const agent of ['profile=', 'name="x"', 'profile="not a url"', 'profile="ftp://a/b"']) {
        const res = await h.call('POST', `${REST}/catalog/search`, { query: 'x' }, { agent });
        protocolError(res, 400, 'invalid_profile_url');
      }
    });

    it('answers 424 profile_unreachable when the platform profile cannot be fetched', async () => {
      for (const profile of ['/profiles/gone.json', '/profiles/missing.json']) {
        const res = await h.call('POST', `${REST}/catalog/search`, { query: 'x' }, { profile });
        protocolError(res, 424, 'profile_unreachable');
      }
    });

    it('answers 422 profile_malformed for a profile that is not JSON or not a profile', async () => {
      for (const profile of ['/profiles/broken.json', '/profiles/not-a-profile.json']) {
        const res = await h.call('POST', `${REST}/catalog/search`, { query: 'x' }, { profile });
        protocolError(res, 422, 'profile_malformed');
      }
    });

    it('answers 422 version_unsupported for a platform on another protocol version', async () => {
      const res = await h.call('POST', `${REST}/checkout-sessions`, createBody, {
        profile: '/profiles/future.json',
      });
      protocolError(res, 422, 'version_unsupported');
    });

    it('negotiates every route, and refuses each whose capability the platform lacks', async () => {
      for (const route of Object.keys(UCP_ROUTE_OPERATIONS)) {
        const [method, path, body] = requestFor(route);
        const res = await h.call(method, path, body, { profile: '/profiles/loyalty-only.json' });
        errorResponse(res, 'capabilities_incompatible');
        expect(res.body.ucp.capabilities, route).toEqual({});
      }
    });

    it('serves search to a catalog-only platform but refuses it a checkout', async () => {
      const search = await h.call(
        'POST',
        `${REST}/catalog/search`,
        { query: 'backpack' },
        {
          profile: '/profiles/catalog-only.json',
        },
      );
      expect(search.status, search.text).toBe(200);
      expectUcp('search', search.body);
      expect(Object.keys(search.body.ucp.capabilities)).toEqual([UCP_CAPABILITY.catalogSearch]);
      const checkout = await h.call('POST', `${REST}/checkout-sessions`, createBody, {
        profile: '/profiles/catalog-only.json',
      });
      errorResponse(checkout, 'capabilities_incompatible');
    });

    it('fetches a platform profile once and serves later requests from its cache', async () => {
      const fetchesOf = () =>
        h.platform.requests.filter((r) => r.url === '/profiles/shopper.json').length;
      await h.call('POST', `${REST}/catalog/search`, { query: 'backpack' });
      const fetched = fetchesOf();
      expect(fetched).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 3; i += 1)
        await h.call('POST', `${REST}/catalog/lookup`, { ids: [BACKPACK] });
      expect(fetchesOf()).toBe(fetched);
    });
  });

  describe('Idempotency-Key', () => {
    it('is required on every mutation', async () => {
      for (const route of Object.keys(UCP_ROUTE_OPERATIONS).filter((r) =>
        r.includes('checkout-sessions'),
      )) {
        const [method, path, body] = requestFor(route);
        if (method === 'GET') continue;
        const res = await h.call(method, path, body, { key: null });
        protocolError(res, 400, 'idempotency_key_required');
      }
    });

    it('replays the first answer for the same key and body, and is 409 for another body', async () => {
      const key = 'ucp-create-once';
      const first = await h.call('POST', `${REST}/checkout-sessions`, createBody, { key });
      expect(first.status, first.text).toBe(201);
      const again = await h.call('POST', `${REST}/checkout-sessions`, createBody, { key });
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(first.text);
      const other = await h.call(
        'POST',
        `${REST}/checkout-sessions`,
        { line_items: [{ item: { id: BACKPACK }, quantity: 3 }] },
        { key },
      );
      protocolError(other, 409, 'idempotency_conflict');
    });

    it('keeps keys apart per operation and per resource', async () => {
      const a = (await h.call('POST', `${REST}/checkout-sessions`, createBody)).body;
      const b = (await h.call('POST', `${REST}/checkout-sessions`, createBody)).body;
      const key = 'ucp-shared-key';
      for (const id of [a.id, b.id]) {
        const res = await h.call('POST', `${REST}/checkout-sessions/${id}/cancel`, undefined, {
          key,
        });
        expect(res.status, res.text).toBe(200);
        expect(res.body.id).toBe(id);
        expect(res.body.status).toBe('canceled');
      }
    });
  });

  describe('bad input', () => {
    it('answers broken JSON with 400 invalid_request', async () => {
      const res = await h.call('POST', `${REST}/checkout-sessions`, undefined, { raw: '{"line' });
      protocolError(res, 400, 'invalid_request');
    });

    it('names each problem of a body the schema refuses by its JSONPath', async () => {
      const res = await h.call('POST', `${REST}/checkout-sessions`, {
        line_items: [{ item: { id: BACKPACK }, quantity: 0 }],
      });
      const error = protocolError(res, 400, 'invalid_request');
      expect(error.content).toContain('$.line_items[0].quantity');
    });

    it('answers too many lookup ids with 400 request_too_large', async () => {
      const ids = Array.from({ length: 500 }, (_, i) => `P-${i}`);
      const res = await h.call('POST', `${REST}/catalog/lookup`, { ids });
      protocolError(res, 400, 'request_too_large');
    });

    it('answers a path the binding does not serve with 404 in its error shape', async () => {
      const res = await h.call('GET', `${REST}/carts/c_1`);
      protocolError(res, 404, 'not_found');
    });
  });

  describe('catalog', () => {
    it('finds the Travel Backpack by search, lookup and product; a miss is not_found', async () => {
      const search = await h.call('POST', `${REST}/catalog/search`, { query: 'travel backpack' });
      expectUcp('search', search.body);
      expect(search.body.products.map((p: { id: string }) => p.id)).toContain(BACKPACK);
      const lookup = await h.call('POST', `${REST}/catalog/lookup`, { ids: [BACKPACK, 'NOPE'] });
      expectUcp('lookup', lookup.body);
      expect(lookup.body.products.map((p: { id: string }) => p.id)).toEqual([BACKPACK]);
      expect(lookup.body.messages).toEqual([expect.objectContaining({ code: 'not_found' })]);
      const product = await h.call('POST', `${REST}/catalog/product`, { id: BACKPACK });
      expect(product.status, product.text).toBe(200);
      expectUcp('product', product.body);
      const missing = await h.call('POST', `${REST}/catalog/product`, { id: 'NO-SUCH-PRODUCT' });
      errorResponse(missing, 'not_found');
    });
  });
});
