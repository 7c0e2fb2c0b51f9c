import { randomUUID } from 'node:crypto';
import { AgentCard, Message, SendMessageRequest, TaskState } from '@a2a-js/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type A2aHarness,
  ACME_TOKEN,
  clientFactory,
  postRpc,
  RETURN_TERMS,
  startA2aHarness,
} from '../helpers/a2a.js';
import { schemaErrors } from '../helpers/a2a-schema.js';
import { specsAvailable } from '../helpers/specs.js';

function v03Send(data: Record<string, unknown>, configuration?: Record<string, unknown>) {
  return {
    jsonrpc: '2.0',
    id: randomUUID(),
    method: 'message/send',
    params: {
      message: {
        kind: 'message',
        messageId: randomUUID(),
        role: 'user',
        parts: [{ kind: 'data', data }],
      },
      ...(configuration ? { configuration } : {}),
    },
  };
}

const auth = { authorization: `Bearer ${ACME_TOKEN}` };

/** The data events of a message/stream answer, parsed. */
async function streamEvents(baseUrl: string) {
  const response = await fetch(`${baseUrl}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
    body: JSON.stringify({ ...v03Send(RETURN_TERMS), method: 'message/stream' }),
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return (await response.text())
    .split('\n\n')
    .filter((chunk) => chunk.startsWith('data: '))
    .map((chunk) => JSON.parse(chunk.slice('data: '.length)));
}

const WELL_KNOWN_CARDS = ['/.well-known/agent.json', '/.well-known/agent-card.json'];

describe('A2A v0.3 (no A2A-Version header)', () => {
  let harness: A2aHarness;

  beforeAll(async () => {
    harness = await startA2aHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('the agent card', () => {
    it('is the v0.3 card at both well-known paths when no version is announced', async () => {
      for (const path of WELL_KNOWN_CARDS) {
        const card = await (await fetch(`${harness.baseUrl}${path}`)).json();
        expect(card).toMatchObject({
          url: `${harness.baseUrl}/a2a`,
          preferredTransport: 'JSONRPC',
          protocolVersion: '0.3.0',
        });
      }
    });

    it('is a v1.0 card (ProtoJSON that reads back unchanged) when 1.0 is announced', async () => {
      const response = await fetch(`${harness.baseUrl}/.well-known/agent-card.json`, {
        headers: { 'A2A-Version': '1.0' },
      });
      const card = (await response.json()) as Record<string, unknown>;
      expect(AgentCard.toJSON(AgentCard.fromJSON(card))).toEqual(card);
      expect(card.supportedInterfaces).toEqual([
        { url: `${harness.baseUrl}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: `${harness.baseUrl}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ]);
      for (const field of ['name', 'description', 'version', 'capabilities', 'skills'])
        expect(card[field]).toBeDefined();
      // Skills describe what may be asked; none promises that it will be allowed.
      for (const skill of card.skills as { description: string }[])
        expect(skill.description).not.toMatch(/\b(guarantee|always (allowed|ready))/i);
    });
  });

  describe('with the SDK’s legacy 0.3 transport', () => {
    it('answers the return-terms question as a completed task with a blocked decision', async () => {
      // A v0.3 client reads the v0.3 part of the card (url, preferredTransport, protocolVersion).
      const raw = (await (
        await fetch(`${harness.baseUrl}/.well-known/agent.json`)
      ).json()) as Record<string, unknown>;
      const { supportedInterfaces: _v1, ...v03Only } = raw;
      const client = await clientFactory(ACME_TOKEN).createFromAgentCard(
        v03Only as unknown as AgentCard,
      );
      expect(client.protocolVersion).toBe('0.3');

      const result = await client.sendMessage(
        SendMessageRequest.fromJSON({
          message: Message.toJSON(
            Message.fromJSON({
              messageId: randomUUID(),
              role: 'ROLE_USER',
              parts: [{ data: RETURN_TERMS }],
            }),
          ),
        }),
      );
      const task = result as Exclude<typeof result, Message>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const part = task.artifacts[0]?.parts[0]?.content;
      expect(part?.$case).toBe('data');
      const decision = part?.$case === 'data' ? (part.value as Record<string, unknown>) : {};
      expect(decision).toMatchObject({ action: 'quote_policy', result: 'blocked' });
      expect((decision.blockers as { code: string }[]).map((b) => b.code)).toEqual([
        'RETURN_POLICY_MISSING',
      ]);
    });
  });

  describe('on the wire', () => {
    it('answers message/send with a Task, states in lower case', async () => {
      const { status, body } = await postRpc(harness.baseUrl, v03Send(RETURN_TERMS), auth);
      expect(status).toBe(200);
      expect(body.result).toMatchObject({ kind: 'task', status: { state: 'completed' } });
      expect(body.result.artifacts[0].parts[0]).toMatchObject({
        kind: 'data',
        data: { result: 'blocked', blockers: [{ code: 'RETURN_POLICY_MISSING' }] },
      });
    });

    it('answers a non-blocking message/send in submitted, then tasks/get finds it', async () => {
      const sent = await postRpc(harness.baseUrl, v03Send(RETURN_TERMS, { blocking: false }), auth);
      expect(sent.body.result.status.state).toBe('submitted');
      const got = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 7, method: 'tasks/get', params: { id: sent.body.result.id } },
        auth,
      );
      expect(got.body.result.id).toBe(sent.body.result.id);
    });

    it('streams message/stream events from the task to its final status', async () => {
      const events = await streamEvents(harness.baseUrl);
      expect(events[0].result.kind).toBe('task');
      expect(events.at(-1).result).toMatchObject({
        kind: 'status-update',
        final: true,
        status: { state: 'completed' },
      });
    });

    it('answers tasks/get of an unknown task with TaskNotFound', async () => {
      const { body } = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 'x', method: 'tasks/get', params: { id: randomUUID() } },
        auth,
      );
      expect(body).toMatchObject({ id: 'x', error: { code: -32001 } });
    });

    it('does not know the v1 method names without the header', async () => {
      const { body } = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } },
        auth,
      );
      expect(body.error?.code).toBe(-32601);
    });
  });

  describe.skipIf(!specsAvailable)('against the official v0.3 JSON Schema', () => {
    it('the card at both well-known paths is a valid AgentCard', async () => {
      for (const path of WELL_KNOWN_CARDS) {
        const card = await (await fetch(`${harness.baseUrl}${path}`)).json();
        expect(schemaErrors('AgentCard', card)).toEqual([]);
      }
    });

    it('message/send answers a valid SendMessageResponse', async () => {
      const { body } = await postRpc(harness.baseUrl, v03Send(RETURN_TERMS), auth);
      expect(schemaErrors('SendMessageResponse', body)).toEqual([]);
    });

    it('a non-blocking message/send and tasks/get answer valid responses', async () => {
      const sent = await postRpc(harness.baseUrl, v03Send(RETURN_TERMS, { blocking: false }), auth);
      expect(schemaErrors('SendMessageResponse', sent.body)).toEqual([]);
      const got = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 7, method: 'tasks/get', params: { id: sent.body.result.id } },
        auth,
      );
      expect(schemaErrors('GetTaskResponse', got.body)).toEqual([]);
    });

    it('every message/stream event is a valid SendStreamingMessageResponse', async () => {
      const events = await streamEvents(harness.baseUrl);
      expect(events.length).toBeGreaterThan(1);
      for (const event of events)
        expect(schemaErrors('SendStreamingMessageResponse', event)).toEqual([]);
    });

    it('an unknown task is a valid JSONRPCErrorResponse carrying a TaskNotFoundError', async () => {
      const { body } = await postRpc(
        harness.baseUrl,
        { jsonrpc: '2.0', id: 'x', method: 'tasks/get', params: { id: randomUUID() } },
        auth,
      );
      expect(schemaErrors('JSONRPCErrorResponse', body)).toEqual([]);
      expect(schemaErrors('TaskNotFoundError', body.error)).toEqual([]);
    });
  });
});
