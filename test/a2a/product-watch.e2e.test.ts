import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  type AgentCard,
  GetTaskRequest,
  Message,
  SendMessageRequest,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  ServiceParameters,
  withA2AExtensions,
} from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_WATCH_EXTENSION_URI } from '../../src/adapters/a2a/product-watch-extension.js';
import { startApp } from '../../src/app/start-app.js';
import type { AppContext } from '../../src/app-context.js';
import type { App } from '../../src/http/types.js';
import { verifyWebhookSignature } from '../../src/providers/webhook-signature.js';
import type { DecisionChangedEvent } from '../../src/services/subscriptions/decision-event.js';
import { bearerFetch } from '../helpers/a2a.js';
import { TENANT, TENANT_AUTH, TENANT_TOKEN } from '../helpers/catalog-app-context.js';
import { productDocument } from '../helpers/catalog-facts.js';
import { putProduct } from '../helpers/catalog-requests.js';
import { loopbackServer, type RecordedRequest } from '../helpers/loopback-server.js';
import { createTestContext } from '../helpers/test-context.js';

/**
 * The product-watch extension end to end: the real `@a2a-js/sdk` client (its v1.0 transport and
 * its legacy v0.3 one) stores a watch through a data part, the catalog changes a fact, and a
 * real HTTP receiver on loopback hears the signed decision.changed event of that watch: the
 * evaluation, the change stream, the projector and the outbox all run as in production.
 */

const SECRET = 'product-watch-test-secret-0123456789';
const VERSIONS = ['1.0', '0.3'] as const;
type Version = (typeof VERSIONS)[number];
const EXTENSIONS_HEADER: Record<Version, string> = {
  '1.0': 'a2a-extensions',
  '0.3': 'x-a2a-extensions',
};

/** A subscriber: answers 200 and hands each event to whoever waits for it. */
async function receiver() {
  const events: { event: DecisionChangedEvent; request: RecordedRequest }[] = [];
  const waiters: { match: (e: DecisionChangedEvent) => boolean; resolve: () => void }[] = [];
  const server = await loopbackServer((request: RecordedRequest, response: ServerResponse) => {
    const event = JSON.parse(request.body.toString('utf8')) as DecisionChangedEvent;
    events.push({ event, request });
    response.writeHead(200).end();
    for (const waiter of waiters.filter((w) => w.match(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    server,
    events,
    /** Resolves with the first event `match` accepts, once it has arrived (or already had). */
    async next(match: (e: DecisionChangedEvent) => boolean) {
      const found = () => events.find(({ event }) => match(event));
      if (found() === undefined)
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no matching decision event')), 15_000);
          waiters.push({
            match,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      return found() as { event: DecisionChangedEvent; request: RecordedRequest };
    },
  };
}

/** An SDK client whose every HTTP response's headers are kept, newest last. */
interface RecordingClient {
  client: Client;
  responses: Headers[];
}

function recordingFactory(responses: Headers[]): ClientFactory {
  const inner = bearerFetch(TENANT_TOKEN);
  const fetchImpl: typeof fetch = async (input, init) => {
    const response = await inner(input, init);
    responses.push(response.headers);
    return response;
  };
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat: { enabled: true } })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl, legacyCompat: { enabled: true } }),
    }),
  );
}

function request(data: Record<string, unknown>, messageId = randomUUID()): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: Message.toJSON(Message.fromJSON({ messageId, role: 'ROLE_USER', parts: [{ data }] })),
  });
}

/** What a finished watch task says: its state, its status text, its artifact's data part. */
function answerOf(task: Task) {
  const text = task.status?.message?.parts[0]?.content;
  const part = task.artifacts[0]?.parts[0]?.content;
  return {
    id: task.id,
    state: task.status?.state,
    text: text?.$case === 'text' ? text.value : '',
    data: part?.$case === 'data' ? (part.value as Record<string, unknown>) : undefined,
  };
}

/** The subscriptions a watch task's artifact holds (none when it has no artifact). */
function subscriptionsOf(answer: ReturnType<typeof answerOf>) {
  return (answer.data?.subscriptions ?? []) as ({ id: string; createdAt: string } & Record<
    string,
    unknown
  >)[];
}

/** The field paths an invalid-params error names, in either version's `error.data` shape. */
function namedFields(error: unknown): string[] {
  const data =
    (error as { data?: unknown; cause?: { data?: unknown } }).data ??
    (error as { cause?: { data?: unknown } }).cause?.data;
  if (Array.isArray(data))
    return data.flatMap(
      (detail: { fieldViolations?: { field: string }[] }) =>
        detail.fieldViolations?.map((v) => v.field) ?? [],
    );
  const problems = (data as { problems?: { path: string }[] } | undefined)?.problems ?? [];
  return problems.map((p) => p.path);
}

/** A unique id per test, so no test depends on another's watches or products. */
const unique = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

describe('A2A product watch (the product-watch extension)', () => {
  let ctx: AppContext;
  let app: App;
  let baseUrl: string;
  let agent: Awaited<ReturnType<typeof receiver>>;
  const clients = {} as Record<Version, RecordingClient>;

  beforeAll(async () => {
    ctx = createTestContext({
      AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN}`,
      WEBHOOK_SECRET: SECRET,
      DECISION_EVENT_COALESCE_MS: '0',
      EVALUATION_COALESCE_MS: '10',
      OUTBOX_DRAIN_INTERVAL_MS: '100',
      STALENESS_SWEEP_EVERY_MS: '200',
      EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent',
      A2A_BLOCKING_TIMEOUT_MS: '10000',
    });
    app = await startApp(ctx, 'all');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    baseUrl = `http://127.0.0.1:${address.port}`;
    agent = await receiver();

    const v1Responses: Headers[] = [];
    clients['1.0'] = {
      client: await recordingFactory(v1Responses).createFromUrl(baseUrl),
      responses: v1Responses,
    };
    // A v0.3 client reads the v0.3 part of the card (url, preferredTransport, protocolVersion).
    const card = (await (await fetch(`${baseUrl}/.well-known/agent.json`)).json()) as Record<
      string,
      unknown
    >;
    const { supportedInterfaces: _v1, ...v03Only } = card;
    const v03Responses: Headers[] = [];
    clients['0.3'] = {
      client: await recordingFactory(v03Responses).createFromAgentCard(
        v03Only as unknown as AgentCard,
      ),
      responses: v03Responses,
    };
  });
  afterAll(async () => {
    await app?.close();
    await agent?.server.close();
    await ctx?.close();
  });

  const send = async (
    version: Version,
    data: Record<string, unknown>,
    { activate = false, messageId = randomUUID() } = {},
  ) => {
    const options = activate
      ? {
          serviceParameters: ServiceParameters.create(
            withA2AExtensions(PRODUCT_WATCH_EXTENSION_URI),
          ),
        }
      : undefined;
    const result = await clients[version].client.sendMessage(request(data, messageId), options);
    expect('status' in result, 'the answer is a task').toBe(true);
    return answerOf(result as Task);
  };
  const refusal = (version: Version, data: Record<string, unknown>) =>
    clients[version].client.sendMessage(request(data)).then(
      () => expect.fail('the request was accepted'),
      (error: unknown) => error,
    );
  const restGet = (url: string) => app.inject({ method: 'GET', url, headers: TENANT_AUTH });

  it.each(VERSIONS)('speaks %s with the SDK client', (version) => {
    expect(clients[version].client.protocolVersion).toBe(version);
  });

  describe.each(VERSIONS)('A2A %s', (version) => {
    it('watches a product for a loopback receiver, which hears the signed decision.changed of a fact change', async () => {
      const productId = unique('WATCHED');
      const subscriptionId = unique('a2a-watch');
      const watched = await send(version, {
        action: 'watch_products',
        subscriptionId,
        url: `${agent.server.url}/hooks/${subscriptionId}`,
        products: [productId],
        contexts: ['EU:consumer:agent'],
      });
      expect(watched.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(watched.text).toContain(subscriptionId);
      // The stored subscription exactly as the REST API returns it.
      const rest = await restGet(`/v1/subscriptions/${subscriptionId}`);
      expect(rest.statusCode).toBe(200);
      expect(watched.data).toEqual({
        type: 'product_watches',
        action: 'watch_products',
        created: true,
        subscriptions: [rest.json()],
      });
      expect(rest.json()).toMatchObject({
        products: [productId],
        contexts: ['EU:consumer:agent'],
        events: ['decision.changed'],
        changes: 'all',
      });

      const ours = (sequence: number) => (e: DecisionChangedEvent) =>
        e.subscriptionId === subscriptionId && e.sequence === sequence;
      expect((await putProduct(app, productId)).statusCode).toBeLessThan(300);
      await agent.next(ours(1));
      // A fact changes: the product is withdrawn from the catalog.
      const withdrawn = productDocument(productId, { status: 'inactive' });
      expect((await putProduct(app, productId, withdrawn)).statusCode).toBeLessThan(300);
      const { event, request: delivery } = await agent.next(ours(2));

      expect(delivery.url).toBe(`/hooks/${subscriptionId}`);
      expect(event).toMatchObject({
        type: 'decision.changed',
        subscriptionId,
        data: { productId, context: 'EU:consumer:agent' },
      });
      const discover = event.data.changes.find((c) => c.action === 'discover');
      expect(discover?.result).toBe('blocked');
      expect(discover?.previousResult).toBe('allowed');
      expect(discover?.blockers.map((b) => b.code)).toContain('PRODUCT_INACTIVE');
      const body = delivery.body.toString('utf8');
      expect(delivery.headers['webhook-id']).toBe(event.id);
      const signature = String(delivery.headers['merchant-signature']);
      expect(verifyWebhookSignature(SECRET, signature, body)).toBe(true);
      expect(verifyWebhookSignature('another-secret', signature, body)).toBe(false);
      // Every event this receiver got for the watch is of the watched product.
      const heard = agent.events.filter((e) => e.event.subscriptionId === subscriptionId);
      expect(new Set(heard.map((e) => e.event.data.productId))).toEqual(new Set([productId]));
    });

    it('lists the watch as REST lists it, unwatches it, and fails a second unwatch by name', async () => {
      const subscriptionId = unique('a2a-listed');
      const url = `${agent.server.url}/hooks/${subscriptionId}`;
      const watched = await send(version, { action: 'watch_products', subscriptionId, url });
      expect(watched.state).toBe(TaskState.TASK_STATE_COMPLETED);

      const listed = await send(version, { action: 'list_watches' });
      expect(listed.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const stored = (await restGet(`/v1/subscriptions/${subscriptionId}`)).json();
      expect(listed.data).toMatchObject({ type: 'product_watches', action: 'list_watches' });
      expect(listed.data?.subscriptions).toContainEqual(stored);

      const removed = await send(version, { action: 'unwatch_products', subscriptionId });
      expect(removed.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(removed.data).toEqual({
        type: 'product_watches',
        action: 'unwatch_products',
        subscriptions: [stored],
      });
      expect((await restGet(`/v1/subscriptions/${subscriptionId}`)).statusCode).toBe(404);
      const after = await send(version, { action: 'list_watches' });
      expect(subscriptionsOf(after).map((s) => s.id)).not.toContain(subscriptionId);

      const again = await send(version, { action: 'unwatch_products', subscriptionId });
      expect(again.state).toBe(TaskState.TASK_STATE_FAILED);
      expect(again.text).toContain(`subscription ${subscriptionId} not found`);
      expect(again.data).toBeUndefined();
    });

    it('answers a resent unwatch with the task it made, and a reused message id with an error', async () => {
      const subscriptionId = unique('a2a-resent');
      const url = `${agent.server.url}/hooks/${subscriptionId}`;
      await send(version, { action: 'watch_products', subscriptionId, url });
      const messageId = randomUUID();
      const unwatch = { action: 'unwatch_products', subscriptionId };
      const first = await send(version, unwatch, { messageId });
      const resent = await send(version, unwatch, { messageId });
      // Not run again: a second removal would have failed, finding nothing.
      expect(first.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(resent).toEqual(first);
      const stored = await clients[version].client.getTask(
        GetTaskRequest.fromJSON({ id: first.id }),
      );
      expect(answerOf(stored)).toEqual(first);

      const error = await clients[version].client
        .sendMessage(request({ action: 'list_watches' }, messageId))
        .then(
          () => expect.fail('the reused message id was accepted'),
          (refused: unknown) => refused,
        );
      expect(namedFields(error)).toEqual(['params.message.messageId']);
    });

    it('refuses a watch sent on a task waiting for input: it belongs in a new message', async () => {
      const opened = await clients[version].client.sendMessage(
        SendMessageRequest.fromJSON({
          message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'hello' }] },
        }),
      );
      const waiting = opened as Task;
      expect(waiting.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      const subscriptionId = unique('a2a-follow-up');
      const error = await clients[version].client
        .sendMessage(
          SendMessageRequest.fromJSON({
            message: {
              messageId: randomUUID(),
              role: 'ROLE_USER',
              taskId: waiting.id,
              contextId: waiting.contextId,
              parts: [
                {
                  data: {
                    action: 'watch_products',
                    subscriptionId,
                    url: `${agent.server.url}/hooks`,
                  },
                },
              ],
            },
          }),
        )
        .then(
          () => expect.fail('the watch was taken on the task'),
          (refused: unknown) => refused,
        );
      const refusedAs = error as { name?: string; cause?: { name?: string } };
      expect([refusedAs.name, refusedAs.cause?.name]).toContain('UnsupportedOperationError');
      expect((await restGet(`/v1/subscriptions/${subscriptionId}`)).statusCode).toBe(404);
    });

    it('replaces a watch of the same id, keeping when it was created', async () => {
      const subscriptionId = unique('a2a-replaced');
      const url = `${agent.server.url}/hooks/${subscriptionId}`;
      const first = await send(version, { action: 'watch_products', subscriptionId, url });
      const second = await send(version, {
        action: 'watch_products',
        subscriptionId,
        url,
        changes: 'results',
      });
      expect(second.data).toMatchObject({ created: false });
      const [before] = subscriptionsOf(first);
      const [after] = subscriptionsOf(second);
      expect(after?.createdAt).toBe(before?.createdAt);
      expect(after?.changes).toBe('results');
      expect(second.text).toMatch(/replaced/);
    });

    it.each([
      ['an unknown field', { categorys: ['travel-bags'] }, '', 'categorys'],
      ['a url that is not http(s)', { url: 'ftp://127.0.0.1/hooks' }, '.url', 'URL'],
      [
        'a context not evaluated here',
        { contexts: ['JP:consumer:agent'] },
        '.contexts',
        'JP:consumer:agent',
      ],
      ['a malformed context', { contexts: ['EU'] }, '.contexts[0]', ''],
      ['an empty product list', { products: [] }, '.products', ''],
      ['a subscription id with a slash', { subscriptionId: 'a/b' }, '.subscriptionId', ''],
    ])('refuses %s with invalid params naming the field', async (_name, change, field, said) => {
      const subscriptionId = unique('a2a-bad');
      const error = await refusal(version, {
        action: 'watch_products',
        subscriptionId,
        url: `${agent.server.url}/hooks`,
        ...change,
      });
      expect((error as { name?: string }).name).toBe('RequestMalformedError');
      expect(namedFields(error)).toContain(`params.message.parts[0].data${field}`);
      expect(String((error as Error).message)).toContain(said);
      // Nothing was stored.
      expect((await restGet(`/v1/subscriptions/${subscriptionId}`)).statusCode).toBe(404);
    });

    it('refuses an unwatch without a subscription id, naming it', async () => {
      const error = await refusal(version, { action: 'unwatch_products' });
      expect(namedFields(error)).toContain('params.message.parts[0].data.subscriptionId');
    });

    it(`echoes the activated extension in ${EXTENSIONS_HEADER[version]}, and answers without it too`, async () => {
      const { responses } = clients[version];
      const subscriptionId = unique('a2a-activated');
      const url = `${agent.server.url}/hooks/${subscriptionId}`;
      const activated = await send(
        version,
        { action: 'watch_products', subscriptionId, url },
        { activate: true },
      );
      expect(activated.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(responses.at(-1)?.get(EXTENSIONS_HEADER[version])).toBe(PRODUCT_WATCH_EXTENSION_URI);

      const plain = await send(version, { action: 'list_watches' });
      expect(plain.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(responses.at(-1)?.get(EXTENSIONS_HEADER[version])).toBeNull();
    });
  });

  describe('activation over raw HTTP', () => {
    it.each(VERSIONS)(
      'names only the extensions of ours a %s request asked for',
      async (version) => {
        const response = await fetch(`${baseUrl}/a2a`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...TENANT_AUTH,
            ...(version === '1.0' ? { 'A2A-Version': '1.0' } : {}),
            [EXTENSIONS_HEADER[version]]:
              `https://example.com/ext/other/v1, ${PRODUCT_WATCH_EXTENSION_URI}`,
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: version === '1.0' ? 'GetTask' : 'tasks/get',
            params: { id: randomUUID() },
          }),
        });
        expect(response.headers.get(EXTENSIONS_HEADER[version])).toBe(PRODUCT_WATCH_EXTENSION_URI);
        const other = version === '1.0' ? EXTENSIONS_HEADER['0.3'] : EXTENSIONS_HEADER['1.0'];
        expect(response.headers.get(other)).toBeNull();
      },
    );
  });

  it('names the activated extension on a streamed answer too', async () => {
    const response = await fetch(`${baseUrl}/a2a`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...TENANT_AUTH,
        'A2A-Version': '1.0',
        'A2A-Extensions': PRODUCT_WATCH_EXTENSION_URI,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendStreamingMessage',
        params: {
          message: {
            messageId: randomUUID(),
            role: 'ROLE_USER',
            parts: [{ data: { action: 'list_watches' } }],
          },
        },
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('a2a-extensions')).toBe(PRODUCT_WATCH_EXTENSION_URI);
    const events = (await response.text())
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('data: '))
      .map((chunk) => JSON.parse(chunk.slice('data: '.length)));
    expect(events).toHaveLength(1);
    expect(events[0].result.task.status.state).toBe('TASK_STATE_COMPLETED');
  });

  describe('the agent card', () => {
    it.each([
      ['1.0', { 'A2A-Version': '1.0' }],
      ['0.3', {}],
    ] as const)(
      'declares the extension, not required, and the product-watch skill (%s)',
      async (version, headers) => {
        const card = (await (
          await fetch(`${baseUrl}/.well-known/agent-card.json`, { headers })
        ).json()) as {
          capabilities: { pushNotifications: boolean; extensions: Record<string, unknown>[] };
          skills: { id: string; examples: string[] }[];
        };
        expect(card.capabilities.pushNotifications).toBe(false);
        expect(card.capabilities.extensions).toHaveLength(1);
        const [extension] = card.capabilities.extensions;
        expect(extension).toMatchObject({
          uri: PRODUCT_WATCH_EXTENSION_URI,
          params: { actions: ['watch_products', 'unwatch_products', 'list_watches'] },
        });
        // ProtoJSON writes v1.0's plain bool at its default (false) by leaving it out.
        expect(extension?.required ?? false).toBe(false);
        expect('required' in (extension ?? {})).toBe(version === '0.3');
        const skill = card.skills.find((s) => s.id === 'product-watch');
        const examples = (skill?.examples ?? []).map((e) => JSON.parse(e) as { action: string });
        expect(examples.map((e) => e.action)).toEqual([
          'watch_products',
          'unwatch_products',
          'list_watches',
        ]);
      },
    );
  });
});

describe('A2A product watch with production rules', () => {
  let ctx: AppContext;
  let app: App;
  let client: Client;

  beforeAll(async () => {
    ctx = createTestContext({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      AUTH_TOKENS: `${TENANT}:${TENANT_TOKEN}`,
      OPERATOR_TOKEN: 'operator-token-for-production-rules-0001',
      WEBHOOK_SECRET: SECRET,
    });
    app = await startApp(ctx, 'ingress');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    client = await recordingFactory([]).createFromUrl(`http://127.0.0.1:${address.port}`);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it.each([
    ['a private address', 'https://10.0.0.7/hooks', '10.0.0.7 is not a public address'],
    ['loopback', 'https://127.0.0.1:9999/hooks', '127.0.0.1 is not a public address'],
    ['this machine by name', 'https://localhost/hooks', 'must not point at this machine'],
    ['plain http', 'http://agent.example/hooks', 'must be https in production'],
  ])('refuses %s as the receiver, naming the url', async (_name, url, said) => {
    const subscriptionId = unique('a2a-prod');
    const error = await client
      .sendMessage(request({ action: 'watch_products', subscriptionId, url }))
      .then(
        () => expect.fail('the watch was stored'),
        (refused: unknown) => refused,
      );
    expect(namedFields(error)).toEqual(['params.message.parts[0].data.url']);
    expect(String((error as Error).message)).toContain(said);
    const rest = await app.inject({
      method: 'GET',
      url: `/v1/subscriptions/${subscriptionId}`,
      headers: TENANT_AUTH,
    });
    expect(rest.statusCode).toBe(404);
  });

  it('stores a watch for a public https receiver', async () => {
    const subscriptionId = unique('a2a-prod-ok');
    const result = await client.sendMessage(
      request({ action: 'watch_products', subscriptionId, url: 'https://agent.example/hooks' }),
    );
    expect(answerOf(result as Task)).toMatchObject({
      state: TaskState.TASK_STATE_COMPLETED,
      data: { subscriptions: [{ id: subscriptionId, url: 'https://agent.example/hooks' }] },
    });
  });
});
