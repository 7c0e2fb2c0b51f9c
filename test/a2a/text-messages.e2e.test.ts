import { randomUUID } from 'node:crypto';
import {
  type AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  Message,
  Role,
  SendMessageRequest,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCardV1 } from '../../src/adapters/a2a/agent-card.js';
import { EXAMPLE_REQUEST } from '../../src/adapters/a2a/input-prompt.js';
import { ACCEPTED_INPUT_MEDIA_TYPES } from '../../src/adapters/a2a/read-message.js';
import {
  type A2aHarness,
  ACME_TOKEN,
  clientFactory,
  OTHER_TOKEN,
  postRpc,
  RETURN_TERMS,
  startA2aHarness,
} from '../helpers/a2a.js';
import { schemaErrors } from '../helpers/a2a-schema.js';
import { specsAvailable } from '../helpers/specs.js';

type Part = Record<string, unknown>;

/** A SendMessageRequest the SDK's way, from ProtoJSON parts. */
function sendV1(
  parts: Part[],
  ids: { taskId?: string; contextId?: string; messageId?: string } = {},
  configuration: Record<string, unknown> = {},
): SendMessageRequest {
  const message = Message.fromJSON({
    messageId: ids.messageId ?? randomUUID(),
    role: 'ROLE_USER',
    parts,
    ...(ids.taskId === undefined ? {} : { taskId: ids.taskId }),
    ...(ids.contextId === undefined ? {} : { contextId: ids.contextId }),
  });
  return SendMessageRequest.fromJSON({ message: Message.toJSON(message), configuration });
}

async function sendTask(client: Client, request: SendMessageRequest): Promise<Task> {
  const result = await client.sendMessage(request);
  return result as Exclude<typeof result, Message>;
}

/** The parts of a task's status message, as `$case` and value. */
function statusParts(task: Task) {
  return (task.status?.message?.parts ?? []).map((part) => part.content);
}

const auth = { authorization: `Bearer ${ACME_TOKEN}` };
const V1 = { ...auth, 'a2a-version': '1.0' };

function v03Send(parts: Part[], extra: Record<string, unknown> = {}, method = 'message/send') {
  return {
    jsonrpc: '2.0',
    id: randomUUID(),
    method,
    params: {
      message: { kind: 'message', messageId: randomUUID(), role: 'user', parts, ...extra },
    },
  };
}

describe('A2A text-only messages', () => {
  let harness: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    harness = await startA2aHarness();
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('reads the media types the card offers as its default input modes', () => {
    const card = agentCardV1({ endpointUrl: 'http://x/a2a', version: '0', streaming: true });
    expect([...(card.defaultInputModes as string[])].sort()).toEqual(
      [...ACCEPTED_INPUT_MEDIA_TYPES].sort(),
    );
  });

  describe('v1.0, with the @a2a-js/sdk client', () => {
    describe('when the text is a JSON request object', () => {
      it('is that request: the task completes with the same decision a data part gets', async () => {
        const task = await sendTask(client, sendV1([{ text: JSON.stringify(RETURN_TERMS) }]));
        expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
        const content = task.artifacts[0]?.parts[0]?.content;
        expect(content?.$case).toBe('data');
        expect(content?.value).toMatchObject({
          action: 'quote_policy',
          policyDomain: 'returns',
          result: 'blocked',
          blockers: [{ code: 'RETURN_POLICY_MISSING' }],
        });
      });

      it('is checked like a data part, each problem named by its path in the text', async () => {
        await expect(
          client.sendMessage(sendV1([{ text: JSON.stringify({ ...RETURN_TERMS, country: 'X' }) }])),
        ).rejects.toMatchObject({ name: 'RequestMalformedError' });
        const { body } = await postRpc(
          harness.baseUrl,
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'SendMessage',
            params: sendV1JSON([{ text: JSON.stringify({ ...RETURN_TERMS, country: 'X' }) }]),
          },
          V1,
        );
        expect(body.error?.code).toBe(-32602);
        expect(JSON.stringify(body.error?.data)).toContain('params.message.parts[0].text.country');
      });
    });

    describe('when the text holds no request', () => {
      it('opens a task in INPUT_REQUIRED that says, in words and by example, what it needs', async () => {
        const task = await sendTask(client, sendV1([{ text: 'What are your return terms?' }]));
        expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
        expect(task.contextId).not.toBe('');
        const [words, example] = statusParts(task);
        expect(words?.$case).toBe('text');
        expect(words?.value).toMatch(/"action"/);
        expect(words?.value).toMatch(/same taskId and contextId/);
        expect(example).toEqual({ $case: 'data', value: EXAMPLE_REQUEST });
        expect(task.history.map((m) => m.role)).toEqual([Role.ROLE_USER]);
        expect(task.artifacts).toEqual([]);
      });

      it('gives every such message a task of its own, even under one message id', async () => {
        const messageId = randomUUID();
        const a = await sendTask(client, sendV1([{ text: 'hello' }], { messageId }));
        const b = await sendTask(client, sendV1([{ text: 'hello again' }], { messageId }));
        expect(a.id).not.toBe(b.id);
      });

      it('keeps a context id the caller gave', async () => {
        const contextId = `ctx-${randomUUID()}`;
        const task = await sendTask(client, sendV1([{ text: 'hello' }], { contextId }));
        expect(task.contextId).toBe(contextId);
      });

      it('answers a blocking send at once: INPUT_REQUIRED interrupts, it does not wait', async () => {
        const started = Date.now();
        const task = await sendTask(
          client,
          sendV1([{ text: 'hello' }], {}, { returnImmediately: false }),
        );
        expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
        // The harness blocks up to 10 s for a terminal state; an interrupted one ends the wait.
        expect(Date.now() - started).toBeLessThan(5_000);
      });

      it('streams the task in INPUT_REQUIRED and closes the stream', async () => {
        const events = [];
        for await (const event of client.sendMessageStream(sendV1([{ text: 'hello' }])))
          events.push(event);
        expect(events).toHaveLength(1);
        const first = events[0]?.payload;
        expect(first?.$case).toBe('task');
        if (first?.$case === 'task')
          expect(first.value.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      });
    });

    describe('a follow-up on the task', () => {
      it('carrying the data part continues it to the decision, history in order', async () => {
        const asked = await sendTask(client, sendV1([{ text: 'Can I return the backpack?' }]));
        const answered = await sendTask(
          client,
          sendV1([{ data: RETURN_TERMS }], { taskId: asked.id, contextId: asked.contextId }),
        );
        expect(answered.id).toBe(asked.id);
        expect(answered.contextId).toBe(asked.contextId);
        expect(answered.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
        expect(answered.artifacts[0]?.parts[0]?.content?.value).toMatchObject({
          blockers: [{ code: 'RETURN_POLICY_MISSING' }],
        });
        const fetched = await client.getTask(GetTaskRequest.fromJSON({ id: asked.id }));
        expect(fetched.history.map((m) => m.parts[0]?.content?.$case)).toEqual(['text', 'data']);
      });

      it('carrying more text keeps asking, and keeps each message in the history', async () => {
        const asked = await sendTask(client, sendV1([{ text: 'one' }]));
        const again = await sendTask(client, sendV1([{ text: 'two' }], { taskId: asked.id }));
        expect(again.id).toBe(asked.id);
        expect(again.contextId).toBe(asked.contextId);
        expect(again.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
        expect(again.history.map((m) => m.parts[0]?.content?.value)).toEqual(['one', 'two']);
        const limited = await client.getTask(
          GetTaskRequest.fromJSON({ id: asked.id, historyLength: 1 }),
        );
        expect(limited.history.map((m) => m.parts[0]?.content?.value)).toEqual(['two']);
      });

      it('sent twice changes the task once: the retry answers the task as it is', async () => {
        const asked = await sendTask(client, sendV1([{ text: 'hi' }]));
        const followUp = sendV1([{ data: RETURN_TERMS }], { taskId: asked.id });
        const first = await sendTask(client, followUp);
        const retry = await sendTask(client, followUp);
        expect(retry.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
        expect(retry.history).toHaveLength(2);
        expect(retry.status?.timestamp).toEqual(first.status?.timestamp);
      });

      it('naming another context is refused, and the task is left as it was', async () => {
        const asked = await sendTask(client, sendV1([{ text: 'hi' }]));
        await expect(
          client.sendMessage(
            sendV1([{ data: RETURN_TERMS }], { taskId: asked.id, contextId: 'another' }),
          ),
        ).rejects.toMatchObject({ name: 'RequestMalformedError' });
        const fetched = await client.getTask(GetTaskRequest.fromJSON({ id: asked.id }));
        expect(fetched.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
        expect(fetched.history).toHaveLength(1);
      });

      it('on a finished task is UnsupportedOperationError', async () => {
        const done = await sendTask(client, sendV1([{ data: RETURN_TERMS }]));
        expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
        await expect(
          client.sendMessage(sendV1([{ text: 'and now?' }], { taskId: done.id })),
        ).rejects.toMatchObject({ name: 'UnsupportedOperationError' });
      });

      it('on a canceled task is UnsupportedOperationError; the waiting task was cancelable', async () => {
        const asked = await sendTask(client, sendV1([{ text: 'hi' }]));
        const canceled = await client.cancelTask(CancelTaskRequest.fromJSON({ id: asked.id }));
        expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
        await expect(
          client.sendMessage(sendV1([{ data: RETURN_TERMS }], { taskId: asked.id })),
        ).rejects.toMatchObject({ name: 'UnsupportedOperationError' });
      });

      it('on an unknown task, or another tenant’s, is TaskNotFoundError', async () => {
        await expect(
          client.sendMessage(sendV1([{ text: 'hi' }], { taskId: randomUUID() })),
        ).rejects.toMatchObject({ name: 'TaskNotFoundError' });
        const asked = await sendTask(client, sendV1([{ text: 'hi' }]));
        const other = await clientFactory(OTHER_TOKEN).createFromUrl(harness.baseUrl);
        await expect(
          other.sendMessage(sendV1([{ data: RETURN_TERMS }], { taskId: asked.id })),
        ).rejects.toMatchObject({ name: 'TaskNotFoundError' });
      });
    });

    describe('a part of a media type this agent does not read', () => {
      it.each([
        ['an image file', { raw: 'iVBORw0KGgo=', mediaType: 'image/png' }],
        ['a file by URL', { url: 'https://example.com/terms.txt', mediaType: 'text/plain' }],
        ['text declared as HTML', { text: '<p>hi</p>', mediaType: 'text/html' }],
        ['data declared as XML', { data: RETURN_TERMS, mediaType: 'application/xml' }],
      ])('refuses %s with ContentTypeNotSupportedError, beside a request too', async (_n, part) => {
        await expect(client.sendMessage(sendV1([part]))).rejects.toMatchObject({
          name: 'ContentTypeNotSupportedError',
        });
        await expect(
          client.sendMessage(sendV1([{ data: RETURN_TERMS }, part])),
        ).rejects.toMatchObject({ name: 'ContentTypeNotSupportedError' });
      });

      it('names the part and the media types it reads', async () => {
        const { body } = await postRpc(
          harness.baseUrl,
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'SendMessage',
            params: sendV1JSON([{ text: 'hi' }, { raw: 'AA==', mediaType: 'image/png' }]),
          },
          V1,
        );
        expect(body.error?.code).toBe(-32005);
        expect(body.error?.message).toMatch(/params\.message\.parts\[1\].*image\/png/);
        expect(body.error?.message).toMatch(/text\/plain/);
      });

      it('reads an inline text/plain file as the text it holds', async () => {
        const raw = Buffer.from(JSON.stringify(RETURN_TERMS)).toString('base64');
        const task = await sendTask(client, sendV1([{ raw, mediaType: 'text/plain' }]));
        expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      });
    });
  });

  describe('v0.3, with the SDK’s legacy transport', () => {
    it('asks for input on text and completes on the follow-up data part', async () => {
      // A v0.3 client reads the v0.3 part of the card (url, preferredTransport, protocolVersion).
      const raw = (await (
        await fetch(`${harness.baseUrl}/.well-known/agent.json`)
      ).json()) as Record<string, unknown>;
      const { supportedInterfaces: _v1, ...v03Only } = raw;
      const legacy = await clientFactory(ACME_TOKEN).createFromAgentCard(
        v03Only as unknown as AgentCard,
      );
      expect(legacy.protocolVersion).toBe('0.3');
      const asked = await sendTask(legacy, sendV1([{ text: 'Can I return it?' }]));
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      expect(statusParts(asked).map((content) => content?.$case)).toEqual(['text', 'data']);
      const answered = await sendTask(
        legacy,
        sendV1([{ data: RETURN_TERMS }], { taskId: asked.id, contextId: asked.contextId }),
      );
      expect(answered.id).toBe(asked.id);
      expect(answered.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    });
  });

  describe('v0.3 (no A2A-Version header), on the wire', () => {
    it('opens a task in input-required for text, asking with words and a data part', async () => {
      const { body } = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'text', text: 'hi' }]),
        auth,
      );
      expect(body.result).toMatchObject({ kind: 'task', status: { state: 'input-required' } });
      expect(body.result.status.message.parts).toEqual([
        { kind: 'text', text: expect.stringMatching(/"action"/) },
        { kind: 'data', data: EXAMPLE_REQUEST },
      ]);
    });

    it('takes a JSON request in text as that request', async () => {
      const { body } = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'text', text: JSON.stringify(RETURN_TERMS) }]),
        auth,
      );
      expect(body.result).toMatchObject({ kind: 'task', status: { state: 'completed' } });
    });

    it('continues the task with a follow-up data part on the same taskId and contextId', async () => {
      const asked = await postRpc(harness.baseUrl, v03Send([{ kind: 'text', text: 'hi' }]), auth);
      const { id, contextId } = asked.body.result;
      const { body } = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'data', data: RETURN_TERMS }], { taskId: id, contextId }),
        auth,
      );
      expect(body.result).toMatchObject({ id, contextId, status: { state: 'completed' } });
      expect(body.result.history.map((m: { parts: Part[] }) => m.parts[0]?.kind)).toEqual([
        'text',
        'data',
      ]);
    });

    it('refuses follow-ups on a finished task (-32004) and with another context (-32602)', async () => {
      const done = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'data', data: RETURN_TERMS }]),
        auth,
      );
      const finished = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'text', text: 'more' }], { taskId: done.body.result.id }),
        auth,
      );
      expect(finished.body.error?.code).toBe(-32004);
      const asked = await postRpc(harness.baseUrl, v03Send([{ kind: 'text', text: 'hi' }]), auth);
      const mismatched = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'text', text: 'more' }], {
          taskId: asked.body.result.id,
          contextId: 'another',
        }),
        auth,
      );
      expect(mismatched.body.error?.code).toBe(-32602);
      const unknown = await postRpc(
        harness.baseUrl,
        v03Send([{ kind: 'text', text: 'more' }], { taskId: randomUUID() }),
        auth,
      );
      expect(unknown.body.error?.code).toBe(-32001);
    });

    it('refuses a file of an unsupported media type with -32005', async () => {
      const { body } = await postRpc(
        harness.baseUrl,
        v03Send([
          { kind: 'text', text: 'see attached' },
          { kind: 'file', file: { name: 'a.png', mimeType: 'image/png', bytes: 'AA==' } },
        ]),
        auth,
      );
      expect(body.error?.code).toBe(-32005);
      expect(body.error?.message).toMatch(/content type not supported/i);
    });

    it('lists, cancels and streams input-required tasks in lower case', async () => {
      const asked = await postRpc(harness.baseUrl, v03Send([{ kind: 'text', text: 'hi' }]), auth);
      const response = await fetch(`${harness.baseUrl}/a2a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(v03Send([{ kind: 'text', text: 'hi' }], {}, 'message/stream')),
      });
      const events = (await response.text())
        .split('\n\n')
        .filter((chunk) => chunk.startsWith('data: '))
        .map((chunk) => JSON.parse(chunk.slice('data: '.length)));
      expect(events.map((event) => event.result.status.state)).toEqual(['input-required']);
      const canceled = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 2, method: 'tasks/cancel', params: { id: asked.body.result.id } },
        auth,
      );
      expect(canceled.body.result.status.state).toBe('canceled');
      const again = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 3, method: 'tasks/cancel', params: { id: asked.body.result.id } },
        auth,
      );
      expect(again.body.error?.code).toBe(-32002);
    });

    describe.skipIf(!specsAvailable)('against the official v0.3 JSON Schema', () => {
      it('an input-required task and its follow-up are valid SendMessageResponses', async () => {
        const asked = await postRpc(harness.baseUrl, v03Send([{ kind: 'text', text: 'hi' }]), auth);
        expect(schemaErrors('SendMessageResponse', asked.body)).toEqual([]);
        const more = await postRpc(
          harness.baseUrl,
          v03Send([{ kind: 'text', text: 'more' }], { taskId: asked.body.result.id }),
          auth,
        );
        expect(schemaErrors('SendMessageResponse', more.body)).toEqual([]);
      });
    });
  });
});

/** SendMessage params as ProtoJSON, for calls made without the SDK. */
function sendV1JSON(parts: Part[]) {
  return { message: { messageId: randomUUID(), role: 'ROLE_USER', parts } };
}

describe('A2A input-required tasks across a restart', () => {
  it('are continued by a follow-up sent to a new process on the same Redis', async () => {
    const id = randomUUID().slice(0, 8);
    const env = { KEY_PREFIX: `t-${id}`, QUEUE_PREFIX: `{q-${id}}` };
    const before = await startA2aHarness({ env });
    const asked = await postRpc(
      before.baseUrl,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: sendV1JSON([{ text: 'hi' }]),
      },
      V1,
    );
    await before.close();
    const task = asked.body.result.task;
    expect(task.status.state).toBe('TASK_STATE_INPUT_REQUIRED');

    const after = await startA2aHarness({ env });
    try {
      const { body } = await postRpc(
        after.baseUrl,
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'SendMessage',
          params: {
            message: {
              messageId: randomUUID(),
              role: 'ROLE_USER',
              taskId: task.id,
              contextId: task.contextId,
              parts: [{ data: RETURN_TERMS }],
            },
          },
        },
        V1,
      );
      expect(body.result.task).toMatchObject({
        id: task.id,
        status: { state: 'TASK_STATE_COMPLETED' },
      });
    } finally {
      await after.close();
    }
  });
});
