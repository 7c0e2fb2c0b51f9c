import { Queue } from 'bullmq';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { type A2aHarness, ACME_TOKEN, startA2aHarness } from '../helpers/a2a.js';

/**
 * Thousands of malformed envelopes, each paired with the JSON-RPC error it must get. Every
 * answer must be a JSON-RPC error object (never a result, never HTTP 500), the server must stay
 * up, and nothing may reach the queue.
 */

interface Case {
  /** The raw request body. */
  body: string;
  code: number;
  headers?: Record<string, string>;
}

const V1_HEADERS = { 'a2a-version': '1.0' };

const VALID_DATA = {
  action: 'get_return_terms',
  productId: 'BAG-TRAVEL-42',
  country: 'DE',
  buyerType: 'consumer',
};

/** A fresh envelope each call: cases break its data in place, never the shared VALID_DATA. */
function validV1Envelope(data: unknown = VALID_DATA) {
  return {
    jsonrpc: '2.0',
    id: 1,
    method: 'SendMessage',
    params: {
      message: { messageId: 'm-1', role: 'ROLE_USER', parts: [{ data: structuredClone(data) }] },
    },
  };
}

/** Values no field of a request accepts: wrong types, huge strings, deep nesting. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 300, maxLength: 5_000 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
  fc.integer({ min: 50, max: 400 }).map((depth) => {
    let nested: unknown = { leaf: true };
    for (let i = 0; i < depth; i++) nested = i % 2 === 0 ? [nested] : { deeper: nested };
    return nested;
  }),
);

/** Adds `"__proto__"` keys the way an attacker writes them: in the JSON text itself. */
function withProtoKeys(json: string): string {
  return json.replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},');
}

const notJson: fc.Arbitrary<Case> = fc
  .string({ maxLength: 200 })
  .map((text) => `{${text}`)
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  })
  .map((body) => ({ body, code: -32700 }));

// A non-empty array is a batch, answered with an array (test/a2a/jsonrpc-transport.test.ts).
const notAnObject: fc.Arbitrary<Case> = fc
  .jsonValue({ maxDepth: 4 })
  .filter(
    (value) =>
      typeof value !== 'object' || value === null || (Array.isArray(value) && value.length === 0),
  )
  .map((value) => ({ body: JSON.stringify(value), code: -32600 }));

const notAnEnvelope: fc.Arbitrary<Case> = fc
  .record(
    {
      jsonrpc: fc.oneof(
        fc.constant('1.0'),
        fc.integer(),
        fc.constant(null),
        fc.string({ maxLength: 5 }),
      ),
      id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
      method: fc.oneof(fc.string({ maxLength: 30 }), hostile),
      params: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  )
  .filter((envelope) => envelope.jsonrpc !== '2.0' || typeof envelope.method !== 'string')
  .map((envelope) => ({ body: JSON.stringify(envelope), code: -32600 }));

const KNOWN_METHODS = new Set([
  'SendMessage',
  'SendStreamingMessage',
  'GetTask',
  'CancelTask',
  'ListTasks',
  'SubscribeToTask',
  'CreateTaskPushNotificationConfig',
  'GetTaskPushNotificationConfig',
  'ListTaskPushNotificationConfigs',
  'DeleteTaskPushNotificationConfig',
  'GetExtendedAgentCard',
]);

const unknownMethod: fc.Arbitrary<Case> = fc
  .string({ minLength: 1, maxLength: 60 })
  .filter((method) => !KNOWN_METHODS.has(method))
  .map((method) => ({
    body: JSON.stringify({ jsonrpc: '2.0', id: 'u', method, params: {} }),
    code: -32601,
    headers: V1_HEADERS,
  }));

const REQUIRED_DATA_FIELDS = ['action', 'productId', 'country', 'buyerType'] as const;

/**
 * A non-empty array of objects may be valid parts: a text part, or a data part holding no
 * request, is conversation the agent answers (input-required), not an invalid message.
 */
function mayBeParts(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((part) => typeof part === 'object' && part !== null && !Array.isArray(part))
  );
}

/** A valid request with one field broken (wrong type, huge, or missing), maybe with proto keys. */
const brokenSendParams: fc.Arbitrary<Case> = fc
  .record({
    field: fc.constantFrom(...REQUIRED_DATA_FIELDS, 'messageId', 'role', 'parts', 'message'),
    value: fc.option(hostile, { nil: undefined }),
    protoKeys: fc.boolean(),
    streaming: fc.boolean(),
  })
  .filter(({ field, value }) => !(field === 'parts' && mayBeParts(value)))
  .map(({ field, value, protoKeys, streaming }) => {
    const envelope = validV1Envelope();
    if (streaming) envelope.method = 'SendStreamingMessage';
    const message = envelope.params.message as Record<string, unknown>;
    const data = envelope.params.message.parts[0]?.data as Record<string, unknown>;
    if (field === 'message') {
      if (value === undefined) delete (envelope.params as Record<string, unknown>).message;
      else (envelope.params as Record<string, unknown>).message = value;
    } else if (field === 'messageId' || field === 'role' || field === 'parts') {
      if (value === undefined) delete message[field];
      else message[field] = value;
    } else if (value === undefined) delete data[field];
    else data[field] = value;
    const body = JSON.stringify(envelope);
    return { body: protoKeys ? withProtoKeys(body) : body, code: -32602, headers: V1_HEADERS };
  });

/** GetTask / CancelTask / ListTasks with params their schemas refuse. */
const brokenTaskParams: fc.Arbitrary<Case> = fc
  .record({
    method: fc.constantFrom('GetTask', 'CancelTask', 'ListTasks'),
    params: fc.oneof(
      hostile.filter(
        (value) => typeof value !== 'object' || value === null || Array.isArray(value),
      ),
      // A page size ListTasks would accept (an integer 1…100) is not hostile.
      hostile
        .filter(
          (value) =>
            !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 100),
        )
        .map((id) => ({ id, pageSize: id })),
      fc.constant({}),
    ),
  })
  .filter(({ method, params }) => !(method === 'ListTasks' && JSON.stringify(params) === '{}'))
  .map(({ method, params }) => ({
    body: JSON.stringify({ jsonrpc: '2.0', id: 3, method, params }),
    code: -32602,
    headers: V1_HEADERS,
  }));

const v03Broken: fc.Arbitrary<Case> = fc
  .record({ kind: fc.oneof(hostile, fc.constantFrom('text', 'file', 'nope')) })
  .map(({ kind }) => ({
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 4,
      method: 'message/send',
      params: {
        message: { kind: 'message', messageId: 'm', role: 'user', parts: [{ kind, data: {} }] },
      },
    }),
    code: -32602,
  }));

const badVersion: fc.Arbitrary<Case> = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter((version) => !/^\s*(0\.3(\.\d+)?|1(\.0(\.\d+)?)?)\s*$/.test(version))
  .filter((version) => /^[\x21-\x7e]+$/.test(version))
  .map((version) => ({
    body: JSON.stringify(validV1Envelope()),
    code: -32009,
    headers: { 'a2a-version': version },
  }));

const anyMalformed: fc.Arbitrary<Case> = fc.oneof(
  notJson,
  notAnObject,
  notAnEnvelope,
  unknownMethod,
  brokenSendParams,
  brokenTaskParams,
  v03Broken,
  badVersion,
);

describe('A2A endpoint under malformed input', () => {
  let harness: A2aHarness;
  let queue: Queue;

  beforeAll(async () => {
    harness = await startA2aHarness({ workers: false, env: { A2A_BLOCKING_TIMEOUT_MS: '0' } });
    queue = new Queue(INTENTS_QUEUE, {
      connection: harness.ctx.redis,
      prefix: queuePrefix(harness.ctx.config, INTENTS_QUEUE),
    });
  });
  afterAll(async () => {
    await queue.close();
    await harness.close();
  });

  const expectRpcError = (status: number, body: unknown, code: number) => {
    expect(status).toBe(200);
    expect(body).toMatchObject({ jsonrpc: '2.0', error: { code, message: expect.any(String) } });
    expect(body).not.toHaveProperty('result');
  };

  it('answers thousands of envelopes through app.inject, each with its error code', async () => {
    await fc.assert(
      fc.asyncProperty(anyMalformed, async (testCase) => {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/a2a',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${ACME_TOKEN}`,
            ...testCase.headers,
          },
          payload: testCase.body,
        });
        expectRpcError(response.statusCode, response.json(), testCase.code);
      }),
      { numRuns: 3_000 },
    );
  });

  it('answers a few hundred over a real HTTP socket the same way', async () => {
    await fc.assert(
      fc.asyncProperty(anyMalformed, async (testCase) => {
        const response = await fetch(`${harness.baseUrl}/a2a`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${ACME_TOKEN}`,
            ...testCase.headers,
          },
          body: testCase.body,
        });
        expectRpcError(response.status, await response.json(), testCase.code);
      }),
      { numRuns: 300 },
    );
  });

  it('answers bodies over the limit with 413 and a JSON-RPC error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 70_000, max: 300_000 }), async (size) => {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/a2a',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ACME_TOKEN}` },
          payload: JSON.stringify(validV1Envelope({ ...VALID_DATA, pad: 'x'.repeat(size) })),
        });
        expect(response.statusCode).toBe(413);
        expect(response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
      }),
      { numRuns: 20 },
    );
  });

  it('answers nesting tens of thousands deep, with proto keys, as invalid params', async () => {
    for (const depth of [5_000, 30_000]) {
      const body = `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"__proto__":{"a":1},"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const response = await harness.app.inject({
        method: 'POST',
        url: '/a2a',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ACME_TOKEN}`,
          ...V1_HEADERS,
        },
        payload: body,
      });
      expectRpcError(response.statusCode, response.json(), -32602);
    }
  });

  it('is still alive, has enqueued nothing, and its prototypes are untouched', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const counts = await queue.getJobCounts();
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(0);
    const card = await fetch(`${harness.baseUrl}/.well-known/agent-card.json`);
    expect(card.status).toBe(200);
  });
});
