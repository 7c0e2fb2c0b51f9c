import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type A2aHarness,
  ACME_TOKEN,
  RETURN_TERMS,
  type RpcReply,
  startA2aHarness,
} from '../helpers/a2a.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The JSON-RPC transport over a real socket: notifications (no reply body, still run), batches
 * (an array of responses), the A2A-Version query parameter, and the endpoint with a trailing
 * slash (JSON-RPC 2.0 §4.1, §5, §6; A2A v1.0 §3.6).
 */

const V1 = { 'a2a-version': '1.0' };
const acme = { authorization: `Bearer ${ACME_TOKEN}` };

/** A v1 SendMessage that returns at once, in a context of its own so its task can be found. */
function sendV1(contextId: string, id?: string | number | null) {
  return {
    jsonrpc: '2.0',
    ...(id === undefined ? {} : { id }),
    method: 'SendMessage',
    params: {
      message: {
        messageId: randomUUID(),
        contextId,
        role: 'ROLE_USER',
        parts: [{ data: RETURN_TERMS }],
      },
      configuration: { returnImmediately: true },
    },
  };
}

describe('A2A JSON-RPC transport', () => {
  let harness: A2aHarness;

  beforeAll(async () => {
    harness = await startA2aHarness();
  });
  afterAll(() => harness.close());

  /** A raw POST; the body is undefined when the reply has none. */
  async function post(
    body: unknown,
    { path = '/a2a', headers = { ...acme, ...V1 } as Record<string, string> } = {},
  ) {
    const response = await fetch(`${harness.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: a reply is an object or, for a batch, an array
    const parsed: any = text.length > 0 ? JSON.parse(text) : undefined;
    return { status: response.status, text, body: parsed };
  }

  /** The tasks of a context, as ListTasks shows them to the tenant. */
  async function tasksIn(contextId: string): Promise<unknown[]> {
    const { body } = await post({
      jsonrpc: '2.0',
      id: 'list',
      method: 'ListTasks',
      params: { contextId },
    });
    return (body as RpcReply).result.tasks;
  }

  const tasksAppearIn = (contextId: string, count: number) =>
    waitFor(`${count} task(s) in context ${contextId}`, async () => {
      const tasks = await tasksIn(contextId);
      return tasks.length >= count ? tasks : undefined;
    });

  describe('notifications (a request without an id)', () => {
    it('answers HTTP 204 with no body, and still runs the call', async () => {
      const contextId = `ctx-${randomUUID()}`;
      const reply = await post(sendV1(contextId));
      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
      expect(await tasksAppearIn(contextId, 1)).toHaveLength(1);
    });

    it('answers no error either, for a method that does not exist', async () => {
      const reply = await post({ jsonrpc: '2.0', method: 'Explode', params: {} });
      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
    });

    it('answers a request with "id": null, which is not a notification', async () => {
      const { status, body } = await post(sendV1(`ctx-${randomUUID()}`, null));
      expect(status).toBe(200);
      expect(body).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        result: { task: expect.any(Object) },
      });
    });

    it('answers an id-less object that is not a valid request with -32600', async () => {
      const { status, body } = await post({ jsonrpc: '2.0', params: {} });
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: null, error: { code: -32600 } });
    });
  });

  describe('batches', () => {
    it('answers an array of responses, one per request and none for a notification', async () => {
      const contextId = `ctx-${randomUUID()}`;
      const { status, body } = await post([
        { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: randomUUID() } },
        sendV1(contextId, 'send'),
        sendV1(contextId),
        { foo: 'bar' },
      ]);
      expect(status).toBe(200);
      expect(Array.isArray(body)).toBe(true);
      expect(body).toHaveLength(3);
      const byId = new Map((body as RpcReply[]).map((reply) => [reply.id, reply]));
      expect(byId.get(1)).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
      expect(byId.get('send')).toMatchObject({
        jsonrpc: '2.0',
        result: { task: { contextId } },
      });
      expect(byId.get(null)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
      // The notification in the batch ran too: two tasks in the context.
      expect(await tasksAppearIn(contextId, 2)).toHaveLength(2);
    });

    it('answers an empty batch with a single Invalid Request', async () => {
      const { status, body } = await post([]);
      expect(status).toBe(200);
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    });

    it('answers a batch of only notifications with HTTP 204 and runs each', async () => {
      const contextId = `ctx-${randomUUID()}`;
      const reply = await post([sendV1(contextId), sendV1(contextId)]);
      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
      expect(await tasksAppearIn(contextId, 2)).toHaveLength(2);
    });

    it('refuses a streaming method inside a batch without running it', async () => {
      const contextId = `ctx-${randomUUID()}`;
      const { body } = await post([
        { ...sendV1(contextId, 7), method: 'SendStreamingMessage' },
        { jsonrpc: '2.0', id: 8, method: 'GetTask', params: { id: randomUUID() } },
      ]);
      expect(body).toHaveLength(2);
      const byId = new Map((body as RpcReply[]).map((reply) => [reply.id, reply]));
      expect(byId.get(7)?.error?.code).toBe(-32004);
      expect(byId.get(8)?.error?.code).toBe(-32001);
      expect(await tasksIn(contextId)).toEqual([]);
    });
  });

  describe('the A2A-Version query parameter', () => {
    const getUnknown = { jsonrpc: '2.0', id: 5, method: 'GetTask', params: { id: 'nope' } };

    it('selects v1.0 like the header', async () => {
      // GetTask is a v1.0 method; v0.3 (no version) calls it tasks/get.
      const without = await post(getUnknown, { headers: acme });
      expect(without.body.error.code).toBe(-32601);
      const withParam = await post(getUnknown, { path: '/a2a?A2A-Version=1.0', headers: acme });
      expect(withParam.body).toMatchObject({ id: 5, error: { code: -32001 } });
    });

    it('refuses an unsupported version in it with -32009', async () => {
      const { body } = await post(getUnknown, { path: '/a2a?A2A-Version=2.0', headers: acme });
      expect(body.error.code).toBe(-32009);
    });

    it('gives way to the header when both are sent', async () => {
      const { body } = await post(getUnknown, {
        path: '/a2a?A2A-Version=0.3',
        headers: { ...acme, ...V1 },
      });
      expect(body.error.code).toBe(-32001);
    });
  });

  describe('POST /a2a/ (trailing slash)', () => {
    it('is the same endpoint as /a2a', async () => {
      const contextId = `ctx-${randomUUID()}`;
      const { status, body } = await post(sendV1(contextId, 'slash'), { path: '/a2a/' });
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 'slash', result: { task: { contextId } } });
      expect(await tasksIn(contextId)).toHaveLength(1);
    });

    it('asks for the bearer token like /a2a', async () => {
      const { status, body } = await post(sendV1(`ctx-${randomUUID()}`, 1), {
        path: '/a2a/',
        headers: V1,
      });
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: { code: -32099 } });
    });
  });
});
