import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/domain/index.js';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { deliveryQueueName, OUTBOX_QUEUE_NAMES } from '../../src/queues/outbox-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import type { A2aHarness } from '../helpers/a2a.js';
import { arbitraryOf, type JsonSchema } from '../helpers/json-schema-arbitrary.js';
import { ACME_TOKEN, connectClient, startMcpHarness, structuredOf } from '../helpers/mcp.js';
import { keysMatching } from '../helpers/redis.js';

/**
 * The MCP endpoint under generated input: tools/call with arguments built from each listed
 * tool's own inputSchema and then broken (a field missing, of the wrong type, huge, extra, the
 * arguments not an object at all), unknown tool names, and raw bodies that are not JSON-RPC.
 * Every tool in tools/list is fuzzed, so tools added later are covered without a change here.
 *
 * What must hold: never a 5xx, the server answers afterwards, arguments the published
 * inputSchema refuses never succeed (an `isError` result without structuredContent, or a
 * JSON-RPC error), a success conforms to the tool's outputSchema, and nothing is queued or
 * written: arguments sent to a tool that is not read-only are always ones its schema refuses.
 */

const RUNS = { toolCalls: 1_300, unknownTools: 200, rawBodies: 500 } as const;

/** What a client sends with every POST (Streamable HTTP, revision 2025-11-25). */
const MCP_HEADERS = {
  authorization: `Bearer ${ACME_TOKEN}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

/** Strings worth trying in any string field besides random ones. */
const KNOWN_STRINGS = ['BAG-TRAVEL-42', 'acme', 'EU', 'US', 'returns', 'EUR', ' ', '../'];

/** Values no field of a tool's arguments is likely to accept, and some it might. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.integer({ min: 20, max: 200 }).map((depth) => {
    let nested: unknown = { leaf: true };
    for (let i = 0; i < depth; i++) nested = i % 2 === 0 ? [nested] : { deeper: nested };
    return nested;
  }),
);

const hugeString = fc
  .tuple(fc.integer({ min: 10_000, max: 100_000 }), fc.constantFrom('x', 'é', '\u0000', '𝄞'))
  .map(([length, char]) => char.repeat(length));

type Path = (string | number)[];

/** Every place in a JSON value that a fuzzer may overwrite or delete. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value).map(([k, v]) => [k, v] as const);
  return entries.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, [...at, key])]);
}

function withAt(value: unknown, path: Path, replacement: unknown | typeof DELETE): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}
const DELETE = Symbol('delete');

/** A value with one place in it changed (or dropped), when it has any place. */
function brokenAt(valid: fc.Arbitrary<unknown>, by: fc.Arbitrary<unknown>) {
  return valid.chain((value) => {
    const paths = pathsOf(value);
    if (paths.length === 0) return by.map((r) => (r === DELETE ? undefined : r));
    return fc
      .tuple(fc.constantFrom(...paths), by)
      .map(([path, replacement]) => withAt(value, path, replacement));
  });
}

/** Arguments for one tool: valid ones from its schema, and each way of breaking them. */
function argumentsFor(tool: Tool): fc.Arbitrary<unknown> {
  const valid = arbitraryOf(tool.inputSchema as JsonSchema, { strings: KNOWN_STRINGS });
  const extraKey = fc.string({ minLength: 1, maxLength: 12 });
  return fc.oneof(
    { arbitrary: valid, weight: 2 },
    { arbitrary: brokenAt(valid, fc.constant(DELETE)), weight: 2 },
    { arbitrary: brokenAt(valid, hostile), weight: 4 },
    { arbitrary: brokenAt(valid, hugeString), weight: 1 },
    {
      arbitrary: fc
        .tuple(valid, extraKey, fc.jsonValue({ maxDepth: 2 }))
        .map(([value, key, extra]) =>
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? { ...value, [key]: extra }
            : value,
        ),
      weight: 1,
    },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 5 }), weight: 1 },
    { arbitrary: hostile, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** The fields a validator's errors are about: where each is, or which key is missing or extra. */
function namesIn(errors: ErrorObject[]): string[] {
  return errors.map((error) => {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    return (
      params.missingProperty ??
      params.additionalProperty ??
      error.instancePath
        .split('/')
        .filter(Boolean)
        .at(-1)
        ?.replace(/~1/g, '/')
        .replace(/~0/g, '~') ??
      '(arguments)'
    );
  });
}

/**
 * The arguments as the server will see them: what JSON carries (no undefined, no NaN), less
 * the prototype keys the ingress strips from untrusted bodies.
 */
function onTheWire(args: unknown): unknown {
  if (args === undefined) return undefined;
  return JSON.parse(JSON.stringify(args), (key, value) =>
    key === '__proto__' ||
    (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
      ? undefined
      : value,
  );
}

/**
 * fc.assert, with the counterexample cut short: a huge generated string would otherwise bury
 * the failure under megabytes of report.
 */
async function assertProperty<T extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<T>,
  params: fc.Parameters<T>,
): Promise<void> {
  const run = await fc.check(property, params);
  if (!run.failed) return;
  const shown = fc.stringify(run.counterexample);
  const cut = shown.length > 2_000 ? `${shown.slice(0, 2_000)}… (${shown.length} chars)` : shown;
  const cause =
    run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
  throw new Error(
    `property failed (seed ${run.seed}, path "${run.counterexamplePath}"): ${cut}\n${cause.slice(0, 4_000)}`,
  );
}

interface RpcAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: walked by path and asserted on
  body: any;
}

describe('MCP endpoint under generated tool calls and malformed bodies', () => {
  let harness: A2aHarness;
  let client: Client;
  let tools: Tool[];
  const validators = new Map<string, { input: ValidateFunction; output?: ValidateFunction }>();
  let before: Map<string, string>;
  let nextId = 0;

  const post = async (
    body: string,
    headers: Record<string, string> = MCP_HEADERS,
  ): Promise<RpcAnswer> => {
    // A hang fails this one request with its body in view, not the whole file by timeout.
    const response = await fetch(`${harness.baseUrl}/mcp`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      // left as text: the assertions below then fail with it in view
    }
    return { status: response.status, body: parsed };
  };

  const callTool = (name: unknown, args: unknown) => {
    const id = ++nextId;
    const params: Record<string, unknown> = { name };
    if (args !== undefined) params.arguments = args;
    return {
      id,
      answer: post(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params })),
    };
  };

  /** The server still answers a good call the official client makes. */
  const stillAnswers = async () => {
    const result = await client.callTool({
      name: 'get_product_readiness',
      arguments: { productId: 'BAG-TRAVEL-42' },
    });
    expect(structuredOf<{ found: boolean }>(result).found).toBe(true);
  };

  beforeAll(async () => {
    // No workers: anything queued would stay in its queue for the last test to see.
    harness = await startMcpHarness({ workers: false, catalog: 'ready' });
    client = await connectClient(harness.baseUrl, ACME_TOKEN);
    tools = (await client.listTools()).tools;
    // Formats are not checked: where a format is stricter in zod or in ajv, the two disagree,
    // and "the schema refuses it" must mean what the server refuses too.
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    for (const tool of tools)
      validators.set(tool.name, {
        input: ajv.compile(tool.inputSchema),
        output: tool.outputSchema && ajv.compile(tool.outputSchema),
      });
    // One good call first, so that whatever a read opens lazily exists before the snapshot.
    await stillAnswers();
    before = await writtenState(harness);
  });
  afterAll(async () => {
    await client?.close();
    await harness?.close();
  });

  it('lists tools to fuzz, each with an object inputSchema', () => {
    expect(tools.map((t) => t.name)).toContain('get_product_readiness');
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object');
  });

  it('never succeeds on arguments the tool schema refuses; successes conform to the outputSchema', async () => {
    const cases = fc.constantFrom(...tools).chain((tool) => {
      const validate = validators.get(tool.name)?.input as ValidateFunction;
      const args = argumentsFor(tool).map(onTheWire);
      // A tool that may change state only ever gets arguments its schema refuses: a call that
      // could be valid could legitimately write, and this fuzz must write nothing.
      const sendable =
        tool.annotations?.readOnlyHint === true ? args : args.filter((a) => !validate(a ?? {}));
      return sendable.map((a) => ({ tool: tool.name, args: a }));
    });
    await assertProperty(
      fc.asyncProperty(cases, async ({ tool: name, args }) => {
        const tool = tools.find((t) => t.name === name) as Tool;
        const { id, answer } = callTool(tool.name, args);
        const { status, body } = await answer;
        expect(status).toBe(200);
        expect(body).toMatchObject({ jsonrpc: '2.0', id });
        const { input, output } = validators.get(tool.name) as {
          input: ValidateFunction;
          output?: ValidateFunction;
        };
        const valid = input(args ?? {});
        const problems = valid ? [] : namesIn(input.errors ?? []);
        const isRecord = typeof args === 'object' && args !== null && !Array.isArray(args);
        if (args !== undefined && !isRecord) {
          // Arguments that are not an object: the envelope itself is invalid params.
          expect(body.result).toBeUndefined();
          expect(body.error).toMatchObject({ code: -32602, message: expect.any(String) });
          return;
        }
        // Arguments that are an object, however wrong, get a tool result: errors the model can
        // read and correct, never a protocol error or a crash turned into one.
        expect(body.error).toBeUndefined();
        const result = body.result;
        expect(Array.isArray(result.content)).toBe(true);
        if (result.isError === true) {
          expect(result.structuredContent).toBeUndefined();
          expect(result.content[0]).toMatchObject({ type: 'text', text: expect.any(String) });
          const text: string = result.content[0].text;
          expect(text.length).toBeGreaterThan(0);
          // Refused arguments are named: the text names a field the schema's validator names.
          if (!valid) {
            expect(text).toMatch(/^Invalid arguments/);
            expect(
              problems.some((name) => text.includes(name)),
              `${text.slice(0, 300)} names none of ${problems.join(', ').slice(0, 200)}`,
            ).toBe(true);
          }
          return;
        }
        // A success: only ever for arguments the published schema accepts.
        expect(valid, `accepted ${JSON.stringify(args)?.slice(0, 300)}`).toBe(true);
        expect(typeof result.structuredContent).toBe('object');
        if (output !== undefined)
          expect(output(result.structuredContent), JSON.stringify(output.errors)).toBe(true);
        expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
      }),
      { numRuns: RUNS.toolCalls },
    );
    await stillAnswers();
  });

  it('answers unknown tool names with an error, never a result', async () => {
    const names = fc
      .oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), hugeString)
      .filter((name) => !tools.some((t) => t.name === name));
    const args = fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 4 }),
    );
    await assertProperty(
      fc.asyncProperty(names, args, async (name, a) => {
        const { id, answer } = callTool(name, onTheWire(a));
        const { status, body } = await answer;
        expect(status).toBe(200);
        expect(body).toMatchObject({ jsonrpc: '2.0', id });
        if (body.error === undefined) {
          expect(body.result.isError).toBe(true);
          expect(body.result.structuredContent).toBeUndefined();
        } else expect(Number.isInteger(body.error.code)).toBe(true);
      }),
      { numRuns: RUNS.unknownTools },
    );
    await stillAnswers();
  });

  it('answers raw bodies that are not good JSON-RPC with a 4xx JSON-RPC error or a response, never a 5xx', async () => {
    await assertProperty(
      fc.asyncProperty(
        rawBody(() => tools),
        async ({ body, headers }) => {
          const answer = await post(body, { ...MCP_HEADERS, ...headers });
          expect(answer.status).toBeLessThan(500);
          if (answer.status === 202) {
            expect(answer.body).toBeUndefined();
            return;
          }
          const replies = Array.isArray(answer.body) ? answer.body : [answer.body];
          for (const reply of replies) {
            expect(reply).toMatchObject({ jsonrpc: '2.0' });
            if (answer.status >= 400) expect(Number.isInteger(reply.error?.code)).toBe(true);
            if (reply.error !== undefined) expect(typeof reply.error.message).toBe('string');
            // Raw bodies never name a tool that may write, so no success ever writes.
            if (reply.result?.structuredContent !== undefined)
              expect(reply.result.isError).not.toBe(true);
          }
        },
      ),
      { numRuns: RUNS.rawBodies },
    );
    await stillAnswers();
  });

  it('is still up, queued nothing and wrote nothing a read would not', async () => {
    await stillAnswers();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const after = await writtenState(harness);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (key) => before.get(key) !== after.get(key),
    );
    expect(changed).toEqual([]);
    // The intents queue at least was seen: the snapshot is of real keys, not of nothing.
    expect(before.size).toBeGreaterThan(0);
  });
});

/**
 * What a tool call could leave behind: every key of the run's store (carts, checkouts, the
 * outbox, idempotency records, audit) and of the intents and outbox queues, each as its DUMP.
 * Left out: what a read may legitimately touch (the evaluation work it hands to the jobs when a
 * stored profile is behind, and that job queue), the MCP sessions a generated `initialize` opens
 * (they expire when idle; no commerce state) and queue `meta` hashes, written when a queue
 * object first opens, not by a job.
 */
async function writtenState(harness: A2aHarness): Promise<Map<string, string>> {
  const { config } = harness.ctx;
  const { KEY_PREFIX } = config;
  const redis = harness.ctx.redis;
  const queues = [
    INTENTS_QUEUE,
    OUTBOX_QUEUE_NAMES.drain,
    OUTBOX_QUEUE_NAMES.prune,
    OUTBOX_QUEUE_NAMES.reconcile,
    ...PROVIDERS.map(deliveryQueueName),
  ];
  const keys = [
    ...(await keysMatching(redis, `${KEY_PREFIX}:*`)).filter(
      (key) => !key.includes(':evaluation:') && !key.includes(':watch-sessions:'),
    ),
    ...(
      await Promise.all(
        queues.map((queue) => keysMatching(redis, `${queuePrefix(config, queue)}:${queue}:*`)),
      )
    )
      .flat()
      .filter((key) => !key.endsWith(':meta')),
  ];
  const state = new Map<string, string>();
  for (const key of keys) {
    const dumped = await redis.dumpBuffer(key);
    if (dumped !== null) state.set(key, dumped.toString('hex'));
  }
  return state;
}

interface RawCase {
  body: string;
  headers?: Record<string, string>;
}

/** Bodies and headers a broken or hostile client sends: not JSON, not JSON-RPC, wrong types. */
function rawBody(listed: () => readonly Tool[]): fc.Arbitrary<RawCase> {
  // Raw envelopes may name a read-only tool, never one that writes (see the last test).
  const readOnly = listed()
    .filter((t) => t.annotations?.readOnlyHint === true)
    .map((t) => t.name);
  const toolName = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constant(null),
    fc.integer(),
    readOnly.length > 0 ? fc.constantFrom(...readOnly) : fc.constant('no-read-only-tool'),
  );
  const notJson = fc
    .string({ maxLength: 200 })
    .map((text) => `{${text}`)
    .filter((text) => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    });
  const method = fc.oneof(
    fc.constantFrom(
      'tools/call',
      'tools/list',
      'initialize',
      'ping',
      'resources/list',
      'resources/read',
      'resources/templates/list',
      'prompts/list',
      'completion/complete',
      'logging/setLevel',
      'notifications/initialized',
      'notifications/cancelled',
    ),
    fc.string({ maxLength: 30 }),
    hostile,
  );
  const envelope = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.integer(), fc.constant(null)),
      id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), hostile),
      method,
      params: fc.oneof(
        fc.record(
          { name: toolName, arguments: hostile, cursor: hostile, uri: hostile, _meta: hostile },
          { requiredKeys: [] },
        ),
        hostile,
      ),
    },
    { requiredKeys: [] },
  );
  const good = JSON.stringify({
    jsonrpc: '2.0',
    id: 'h',
    method: 'tools/call',
    params: { name: 'get_product_readiness', arguments: { productId: 'BAG-TRAVEL-42' } },
  });
  const printable = fc
    .string({ minLength: 1, maxLength: 30 })
    .filter((v) => /^[\x21-\x7e]+$/.test(v));
  const oddHeaders = fc.record(
    {
      'content-type': fc.oneof(
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/json; charset=utf-16',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
        ),
        printable,
      ),
      accept: fc.oneof(fc.constantFrom('application/json', 'text/event-stream', '*/*'), printable),
      'mcp-protocol-version': fc.oneof(
        fc.constantFrom('2024-11-05', '2025-03-26', '2025-06-18', '2026-07-28', ''),
        printable,
      ),
      'mcp-session-id': printable,
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    notJson.map((body) => ({ body })),
    fc.jsonValue({ maxDepth: 4 }).map((value) => ({ body: JSON.stringify(value) })),
    envelope.map((value) => ({ body: JSON.stringify(value) })),
    fc
      .array(envelope, { minLength: 1, maxLength: 4 })
      .map((value) => ({ body: JSON.stringify(value) })),
    oddHeaders.map((headers) => ({ body: good, headers })),
    fc
      .integer({ min: 1_100_000, max: 1_500_000 })
      .map((size) => ({ body: good.replace('BAG-TRAVEL-42', 'x'.repeat(size)) })),
    fc.integer({ min: 1_000, max: 20_000 }).map((depth) => ({
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_product_readiness","arguments":{"productId":${'['.repeat(depth)}${']'.repeat(depth)}}}}`,
    })),
  );
}
