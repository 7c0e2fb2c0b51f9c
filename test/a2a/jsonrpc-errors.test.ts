import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { ACME_TOKEN, OTHER_TOKEN, RETURN_TERMS, startA2aHarness } from '../helpers/a2a.js';

const V1 = { 'a2a-version': '1.0' };
const acme = { authorization: `Bearer ${ACME_TOKEN}` };

function sendV1(data: unknown, extra: Record<string, unknown> = {}) {
  return {
    jsonrpc: '2.0',
    id: 42,
    method: 'SendMessage',
    params: {
      message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data }], ...extra },
    },
  };
}

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

/** The field paths of the `google.rpc.BadRequest` in a v1 `error.data` array. */
function violatedFields(error: {
  data: { '@type': string; fieldViolations?: { field: string }[] }[];
}) {
  const badRequest = error.data.find((detail) => detail['@type'] === BAD_REQUEST);
  return (badRequest?.fieldViolations ?? []).map((violation) => violation.field);
}

/**
 * An A2A app with no worker and no socket: whatever a request enqueues stays visible in `queue`.
 * `post` sends one request to it in-process.
 */
async function startQuietA2a() {
  const harness = await startA2aHarness({
    workers: false,
    listen: false,
    env: { A2A_MAX_BODY_BYTES: '2048', A2A_BLOCKING_TIMEOUT_MS: '0' },
  });
  const queue = new Queue(INTENTS_QUEUE, {
    connection: harness.ctx.redis,
    prefix: queuePrefix(harness.ctx.config, INTENTS_QUEUE),
  });
  const post = async (
    payload: unknown,
    headers: Record<string, string> = { ...acme, ...V1 },
    contentType = 'application/json',
  ) => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/a2a',
      headers: { 'content-type': contentType, ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: response.statusCode, headers: response.headers, body: response.json() };
  };
  return {
    queue,
    post,
    async close() {
      await queue.close();
      await harness.close();
    },
  };
}
type QuietA2a = Awaited<ReturnType<typeof startQuietA2a>>;

describe('A2A JSON-RPC errors', () => {
  let a2a: QuietA2a;
  const post: QuietA2a['post'] = (...args) => a2a.post(...args);

  beforeAll(async () => {
    a2a = await startQuietA2a();
  });
  afterAll(() => a2a.close());

  describe('envelope', () => {
    it.each([
      ['malformed JSON', '{"jsonrpc":', -32700],
      ['an empty body', '', -32700],
    ])('answers %s with -32700 and id null', async (_name, payload, code) => {
      const { status, body } = await post(payload);
      expect(status).toBe(200);
      expect(body).toEqual({ jsonrpc: '2.0', id: null, error: expect.objectContaining({ code }) });
    });

    it.each([
      ['an empty batch', []],
      ['a string', '"hello"'],
      ['an empty object', {}],
      ['jsonrpc 1.0', { jsonrpc: '1.0', id: 1, method: 'GetTask' }],
      ['an object id', { jsonrpc: '2.0', id: { a: 1 }, method: 'GetTask' }],
      ['a numeric method', { jsonrpc: '2.0', id: 1, method: 5 }],
    ])('answers %s with -32600', async (_name, payload) => {
      const { status, body } = await post(payload);
      expect(status).toBe(200);
      expect(body.error.code).toBe(-32600);
    });

    it('gives every v1 error a data array of typed messages, one an ErrorInfo', async () => {
      const { body } = await post({ jsonrpc: '2.0', id: 7, method: 'GetExtendedAgentCard' });
      expect(body.error.code).toBe(-32004);
      expect(Array.isArray(body.error.data)).toBe(true);
      for (const detail of body.error.data) expect(typeof detail['@type']).toBe('string');
      expect(body.error.data).toContainEqual(
        expect.objectContaining({ '@type': ERROR_INFO, reason: 'UNSUPPORTED_OPERATION' }),
      );
    });

    it('answers an unknown method with -32601, echoing the id', async () => {
      const { body } = await post({ jsonrpc: '2.0', id: 'abc', method: 'Explode', params: {} });
      expect(body).toMatchObject({ id: 'abc', error: { code: -32601 } });
    });

    it('answers an unsupported A2A-Version with -32009 naming the supported ones', async () => {
      const { status, body } = await post(sendV1(RETURN_TERMS), { ...acme, 'a2a-version': '2.0' });
      expect(status).toBe(200);
      expect(body.error).toMatchObject({
        code: -32009,
        data: [
          {
            '@type': ERROR_INFO,
            reason: 'VERSION_NOT_SUPPORTED',
            domain: 'a2a-protocol.org',
            metadata: { supportedVersions: JSON.stringify(['1.0', '0.3']) },
          },
        ],
      });
    });

    it('answers a non-JSON content type with -32005', async () => {
      const { status, body } = await post('hello', { ...acme, ...V1 }, 'text/plain');
      expect(status).toBe(200);
      expect(body.error.code).toBe(-32005);
    });

    it('answers a body over the limit with HTTP 413 and a JSON-RPC error', async () => {
      const { status, body } = await post(sendV1({ ...RETURN_TERMS, pad: 'x'.repeat(4096) }));
      expect(status).toBe(413);
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    });
  });

  describe('authentication', () => {
    it.each([
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer not-a-token-of-anyone-0001' }],
      ['another scheme', { authorization: `Basic ${ACME_TOKEN}` }],
    ])('answers %s with HTTP 401, WWW-Authenticate and a JSON-RPC error', async (_n, headers) => {
      const {
        status,
        headers: replyHeaders,
        body,
      } = await post(sendV1(RETURN_TERMS), {
        ...V1,
        ...headers,
      });
      expect(status).toBe(401);
      expect(replyHeaders['www-authenticate']).toMatch(/^Bearer/);
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32099 } });
    });
  });

  describe('params', () => {
    it('names each problem by path (-32602)', async () => {
      const { body } = await post({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: {} });
      expect(body.error.code).toBe(-32602);
      expect(body.error.data).toEqual([
        expect.objectContaining({ '@type': ERROR_INFO, reason: 'INVALID_PARAMS' }),
        {
          '@type': BAD_REQUEST,
          fieldViolations: [{ field: 'params.message', description: expect.any(String) }],
        },
      ]);
    });

    it.each([
      ['a missing productId', { ...RETURN_TERMS, productId: undefined }, 'productId'],
      ['an unknown action', { ...RETURN_TERMS, action: 'buy_everything' }, 'action'],
      ['a bad country', { ...RETURN_TERMS, country: 'Germany' }, 'country'],
      ['a misspelt field', { ...RETURN_TERMS, productID: 'x' }, ''],
      [
        'a domain the action contradicts',
        { ...RETURN_TERMS, policyDomain: 'shipping' },
        'policyDomain',
      ],
      [
        'a fractional quantity',
        { action: 'add_to_cart', productId: 'P', quantity: 1.5 },
        'quantity',
      ],
    ])('refuses %s with its path in the data part', async (_name, data, field) => {
      const { body } = await post(sendV1(data));
      expect(body.error.code).toBe(-32602);
      expect(violatedFields(body.error)).toContain(
        `params.message.parts[0].data${field ? `.${field}` : ''}`,
      );
    });

    it('refuses a message with two requests, in data parts or JSON text', async () => {
      const two = await post({
        ...sendV1(RETURN_TERMS),
        params: {
          message: {
            messageId: 'm2',
            role: 'ROLE_USER',
            parts: [{ data: RETURN_TERMS }, { text: JSON.stringify(RETURN_TERMS) }],
          },
        },
      });
      expect(two.body.error.code).toBe(-32602);
      expect(violatedFields(two.body.error)[0]).toBe('params.message.parts');
    });

    it('names the missing action of data that is otherwise a request', async () => {
      const { body } = await post(sendV1({ ...RETURN_TERMS, action: undefined }));
      expect(body.error.code).toBe(-32602);
      expect(violatedFields(body.error)).toContain('params.message.parts[0].data.action');
    });

    it('refuses a message from the agent role', async () => {
      const { body } = await post({
        ...sendV1(RETURN_TERMS),
        params: {
          message: { messageId: 'm', role: 'ROLE_AGENT', parts: [{ data: RETURN_TERMS }] },
        },
      });
      expect(violatedFields(body.error)[0]).toBe('params.message.role');
    });

    it('refuses params that are not an object', async () => {
      const { body } = await post({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: [1] });
      expect(body.error.code).toBe(-32602);
    });
  });

  describe('operations this agent does not offer', () => {
    it.each([
      ['CreateTaskPushNotificationConfig', -32003],
      ['GetExtendedAgentCard', -32004],
    ])('answers %s with %i', async (method, code) => {
      const { body } = await post({ jsonrpc: '2.0', id: 1, method, params: { id: 'x' } });
      expect(body.error.code).toBe(code);
    });

    it('refuses a push notification config on SendMessage with -32003', async () => {
      const payload = sendV1(RETURN_TERMS);
      const { body } = await post({
        ...payload,
        params: {
          ...payload.params,
          configuration: { taskPushNotificationConfig: { url: 'http://127.0.0.1:1/hook' } },
        },
      });
      expect(body.error.code).toBe(-32003);
    });

    it('refuses a follow-up on an unknown task with -32001', async () => {
      const { body } = await post(sendV1(RETURN_TERMS, { taskId: randomUUID() }));
      expect(body.error.code).toBe(-32001);
    });
  });

  it('has enqueued nothing for any rejected envelope', async () => {
    const counts = await a2a.queue.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  describe('tenancy', () => {
    // An app of its own: these tests enqueue tasks, which the rejection tests must not see.
    let a2a: QuietA2a;
    const post: QuietA2a['post'] = (...args) => a2a.post(...args);
    beforeAll(async () => {
      a2a = await startQuietA2a();
    });
    afterAll(() => a2a.close());

    it('answers TaskNotFound for a task of another tenant, and lets its owner read it', async () => {
      const sent = await post(sendV1(RETURN_TERMS));
      const taskId = sent.body.result.task.id as string;
      const getTask = { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: taskId } };
      const foreign = await post(getTask, { authorization: `Bearer ${OTHER_TOKEN}`, ...V1 });
      expect(foreign.body.error.code).toBe(-32001);
      expect(foreign.body.error.data).toEqual([
        { '@type': ERROR_INFO, reason: 'TASK_NOT_FOUND', domain: 'a2a-protocol.org' },
      ]);
      const legacy = await post(
        { jsonrpc: '2.0', id: 1, method: 'tasks/get', params: { id: taskId } },
        { authorization: `Bearer ${OTHER_TOKEN}` },
      );
      expect(legacy.body.error.code).toBe(-32001);
      expect(Array.isArray(legacy.body.error.data)).toBe(false);
      const own = await post(getTask);
      expect(own.body.result.id).toBe(taskId);
      const cancel = await post(
        { jsonrpc: '2.0', id: 2, method: 'CancelTask', params: { id: taskId } },
        { authorization: `Bearer ${OTHER_TOKEN}`, ...V1 },
      );
      expect(cancel.body.error.code).toBe(-32001);
    });

    it('cancels a task no worker has taken, and then refuses to cancel it again (-32002)', async () => {
      const sent = await post(sendV1(RETURN_TERMS));
      const taskId = sent.body.result.task.id as string;
      expect(sent.body.result.task.status.state).toBe('TASK_STATE_SUBMITTED');
      const cancel = { jsonrpc: '2.0', id: 3, method: 'CancelTask', params: { id: taskId } };
      const first = await post(cancel);
      expect(first.body.result.status.state).toBe('TASK_STATE_CANCELED');
      expect(await a2a.queue.getJob(sent.body.result.task.id)).toBeUndefined();
      const second = await post(cancel);
      expect(second.body.error.code).toBe(-32002);
    });

    it('answers a historyLength above 100 with at most that many messages (no upper bound)', async () => {
      const sent = await post(sendV1(RETURN_TERMS));
      const taskId = sent.body.result.task.id as string;
      const { body } = await post({
        jsonrpc: '2.0',
        id: 4,
        method: 'GetTask',
        params: { id: taskId, historyLength: 500 },
      });
      expect(body.error).toBeUndefined();
      expect(body.result.id).toBe(taskId);
      expect(body.result.history.length).toBeGreaterThan(0);
      expect(body.result.history.length).toBeLessThanOrEqual(500);
    });
  });
});
