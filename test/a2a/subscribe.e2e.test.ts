import { randomUUID } from 'node:crypto';
import { SubscribeToTaskRequest, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { a2aFeature } from '../../src/app/a2a.js';
import { closeInPhases } from '../../src/runtime/shutdown.js';
import {
  type A2aHarness,
  ACME_TOKEN,
  bearerFetch,
  clientFactory,
  OTHER_TOKEN,
  postRpc,
  RETURN_TERMS,
  type RpcReply,
  startA2aHarness,
} from '../helpers/a2a.js';
import { schemaErrors } from '../helpers/a2a-schema.js';
import { specsAvailable } from '../helpers/specs.js';
import { sseEvents } from '../helpers/sse.js';

type Version = '1.0' | '0.3';
const SUBSCRIBE = { '1.0': 'SubscribeToTask', '0.3': 'tasks/resubscribe' } as const;
const CANCEL = { '1.0': 'CancelTask', '0.3': 'tasks/cancel' } as const;

function headersOf(version: Version, token = ACME_TOKEN): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    ...(version === '1.0' ? { 'a2a-version': '1.0' } : {}),
  };
}

describe('A2A task subscription (SubscribeToTask, tasks/resubscribe)', () => {
  let harness: A2aHarness;
  let client: Client;
  /** Open task watches as the service last reported them, and who waits for a count. */
  let watches = 0;
  const waiting: { count: number; reached: () => void }[] = [];

  /** Resolves once the service reports exactly `count` open task watches. */
  function watchesReach(count: number): Promise<void> {
    if (watches === count) return Promise.resolve();
    return new Promise((reached) => waiting.push({ count, reached }));
  }

  beforeAll(async () => {
    // No worker: a task stays SUBMITTED until a test starts one or cancels the task.
    harness = await startA2aHarness({ workers: false });
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
    const gauge = harness.ctx.metrics.a2aTaskWatches;
    const set = gauge.set.bind(gauge);
    vi.spyOn(gauge, 'set').mockImplementation((value: unknown) => {
      set(value as number);
      watches = value as number;
      for (const waiter of waiting.splice(0))
        if (waiter.count === watches) waiter.reached();
        else waiting.push(waiter);
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  /** A task that no worker has taken: SUBMITTED. */
  async function submitted(version: Version, token = ACME_TOKEN): Promise<string> {
    const message =
      version === '1.0'
        ? { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data: RETURN_TERMS }] }
        : {
            kind: 'message',
            messageId: randomUUID(),
            role: 'user',
            parts: [{ kind: 'data', data: RETURN_TERMS }],
          };
    const { body } = await postRpc(
      harness.baseUrl,
      {
        jsonrpc: '2.0',
        id: 1,
        method: version === '1.0' ? 'SendMessage' : 'message/send',
        params: {
          message,
          configuration: version === '1.0' ? { returnImmediately: true } : { blocking: false },
        },
      },
      headersOf(version, token),
    );
    const task = version === '1.0' ? body.result.task : body.result;
    expect(task.status.state).toBe(version === '1.0' ? 'TASK_STATE_SUBMITTED' : 'submitted');
    return task.id as string;
  }

  async function cancel(version: Version, id: string): Promise<RpcReply> {
    const { body } = await postRpc(
      harness.baseUrl,
      { jsonrpc: '2.0', id: 2, method: CANCEL[version], params: { id } },
      headersOf(version),
    );
    expect(body.error).toBeUndefined();
    return body;
  }

  function subscribe(
    version: Version,
    id: string,
    options: { token?: string; signal?: AbortSignal; rpcId?: string | number } = {},
  ): Promise<Response> {
    return fetch(`${harness.baseUrl}/a2a`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...headersOf(version, options.token),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: options.rpcId ?? 'sub-1',
        method: SUBSCRIBE[version],
        params: { id },
      }),
      signal: options.signal,
    });
  }

  describe('v1.0 with the @a2a-js/sdk client', () => {
    it('streams the task as it is first, then each change until it completes, then closes', async () => {
      const id = await submitted('1.0');
      const stream = client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id }));
      const first = await stream.next();
      const opened = first.value?.payload;
      expect(opened?.$case).toBe('task');
      if (opened?.$case === 'task') {
        expect(opened.value.id).toBe(id);
        expect(opened.value.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
        expect(opened.value.history.length).toBeGreaterThan(0);
      }
      // Only now may the task move: whatever follows came through the subscription.
      const workers = (await a2aFeature.startWorkers?.(harness.ctx)) ?? [];
      try {
        const rest = [];
        for await (const event of stream) rest.push(event.payload);
        const states = rest.flatMap((payload) =>
          payload?.$case === 'statusUpdate' ? [payload.value.status?.state] : [],
        );
        expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
        expect(rest.map((payload) => payload?.$case)).toContain('artifactUpdate');
        const artifact = rest.find((payload) => payload?.$case === 'artifactUpdate');
        if (artifact?.$case === 'artifactUpdate') expect(artifact.value.taskId).toBe(id);
      } finally {
        await closeInPhases(workers);
      }
    });

    it('rejects an unknown task as TaskNotFoundError', async () => {
      const stream = client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: randomUUID() }));
      await expect(stream.next()).rejects.toBeInstanceOf(TaskNotFoundError);
    });

    it('rejects a task that is already terminal as UnsupportedOperationError', async () => {
      const id = await submitted('1.0');
      await cancel('1.0', id);
      const stream = client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id }));
      await expect(stream.next()).rejects.toBeInstanceOf(UnsupportedOperationError);
    });
  });

  describe('v0.3 with the @a2a-js/sdk legacy transport', () => {
    it('resubscribes: the task first, then its cancellation, then the stream closes', async () => {
      const legacy = new LegacyJsonRpcTransport({
        endpoint: `${harness.baseUrl}/a2a`,
        fetchImpl: bearerFetch(ACME_TOKEN),
      });
      const id = await submitted('0.3');
      const stream = legacy.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id }));
      const first = (await stream.next()).value?.payload;
      expect(first?.$case).toBe('task');
      if (first?.$case === 'task')
        expect(first.value.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
      await cancel('0.3', id);
      const rest = [];
      for await (const event of stream) rest.push(event.payload);
      expect(rest.map((payload) => payload?.$case)).toEqual(['statusUpdate']);
      const last = rest[0];
      if (last?.$case === 'statusUpdate')
        expect(last.value.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    });
  });

  describe('v0.3 refusals with the @a2a-js/sdk legacy transport', () => {
    it('rejects an unknown task with a TaskNotFoundError as the cause', async () => {
      const legacy = new LegacyJsonRpcTransport({
        endpoint: `${harness.baseUrl}/a2a`,
        fetchImpl: bearerFetch(ACME_TOKEN),
      });
      const stream = legacy.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: randomUUID() }));
      const refusal = await stream.next().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((refusal as Error | undefined)?.cause).toBeInstanceOf(TaskNotFoundError);
    });
  });

  it('answers a v0.3 message/stream with invalid params as a stream of one -32602 error', async () => {
    const response = await fetch(`${harness.baseUrl}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersOf('0.3') },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'message/stream', params: {} }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: RpcReply[] = [];
    for await (const event of sseEvents(response)) events.push(event);
    expect(events).toEqual([
      expect.objectContaining({ id: 9, error: expect.objectContaining({ code: -32602 }) }),
    ]);
  });

  describe.each(['1.0', '0.3'] as const)('A2A %s over raw HTTP', (version) => {
    it('answers text/event-stream, one JSON-RPC response per data line, echoing the id', async () => {
      const id = await submitted(version);
      const response = await subscribe(version, id, { rpcId: 41 });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const events = sseEvents(response);
      const first = (await events.next()).value as RpcReply;
      expect(first).toMatchObject({ jsonrpc: '2.0', id: 41 });
      const task = version === '1.0' ? first.result.task : first.result;
      expect(task).toMatchObject({
        id,
        status: { state: version === '1.0' ? 'TASK_STATE_SUBMITTED' : 'submitted' },
      });
      if (version === '0.3') expect(task.kind).toBe('task');
      await cancel(version, id);
      const rest: RpcReply[] = [];
      for await (const event of events) rest.push(event);
      expect(rest).toHaveLength(1);
      expect(rest[0]).toMatchObject({ jsonrpc: '2.0', id: 41 });
      if (version === '1.0')
        expect(rest[0]?.result.statusUpdate).toMatchObject({
          taskId: id,
          status: { state: 'TASK_STATE_CANCELED' },
        });
      else
        expect(rest[0]?.result).toMatchObject({
          kind: 'status-update',
          taskId: id,
          final: true,
          status: { state: 'canceled' },
        });
    });

    it.each([
      ['an unknown task', 'unknown'],
      ["another tenant's task", 'other-tenant'],
    ] as const)('refuses %s with -32001', async (_name, kind) => {
      const id = kind === 'unknown' ? randomUUID() : await submitted(version, OTHER_TOKEN);
      const response = await subscribe(version, id, { rpcId: 'refused' });
      expect(response.status).toBe(200);
      // v1.0: a plain JSON-RPC error. v0.3: a stream of that one error (what v0.3 clients read).
      let body: RpcReply;
      if (version === '1.0') {
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        body = (await response.json()) as RpcReply;
      } else {
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const events: RpcReply[] = [];
        for await (const event of sseEvents(response)) events.push(event);
        expect(events).toHaveLength(1);
        body = events[0] as RpcReply;
      }
      expect(body).toMatchObject({ jsonrpc: '2.0', id: 'refused', error: { code: -32001 } });
      expect(body.result).toBeUndefined();
    });

    it('lets go of the watch when the client disconnects, leaving other subscribers be', async () => {
      const id = await submitted(version);
      const before = watches;
      const leaving = new AbortController();
      const left = sseEvents(await subscribe(version, id, { signal: leaving.signal }));
      const staying = sseEvents(await subscribe(version, id));
      expect((await left.next()).value).toBeDefined();
      expect((await staying.next()).value).toBeDefined();
      await watchesReach(before + 2);
      leaving.abort();
      await watchesReach(before + 1);
      await cancel(version, id);
      const rest: RpcReply[] = [];
      for await (const event of staying) rest.push(event);
      expect(rest).toHaveLength(1);
      await watchesReach(before);
    });
  });

  describe('a task already terminal', () => {
    it('is refused with -32004 in v1.0 (§3.1.6)', async () => {
      const id = await submitted('1.0');
      await cancel('1.0', id);
      const response = await subscribe('1.0', id);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await response.json()) as RpcReply).error?.code).toBe(-32004);
    });

    it('is streamed as it is in v0.3, which sets no such rule, and the stream closes', async () => {
      const id = await submitted('0.3');
      await cancel('0.3', id);
      const events: RpcReply[] = [];
      for await (const event of sseEvents(await subscribe('0.3', id))) events.push(event);
      expect(events).toHaveLength(1);
      expect(events[0]?.result).toMatchObject({ kind: 'task', id, status: { state: 'canceled' } });
    });
  });

  describe.skipIf(!specsAvailable)('against the official v0.3 JSON Schema', () => {
    it('every tasks/resubscribe event is a valid SendStreamingMessageResponse', async () => {
      const id = await submitted('0.3');
      const events = sseEvents(await subscribe('0.3', id));
      const all = [(await events.next()).value];
      await cancel('0.3', id);
      for await (const event of events) all.push(event);
      expect(all).toHaveLength(2);
      for (const event of all)
        expect(schemaErrors('SendStreamingMessageResponse', event)).toEqual([]);
    });
  });
});
