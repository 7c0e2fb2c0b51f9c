import { readFileSync } from 'node:fs';
import { Queue, QueueEvents, QueueEventsProducer } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { processIntentJob } from '../../jobs/process-intent.job.js';
import { agentCardV1, agentCardV03 } from '../adapters/a2a/agent-card.js';
import { A2aProtocolError, type ErrorDataShape, toJsonRpcError } from '../adapters/a2a/errors.js';
import {
  type A2aVersion,
  idOf,
  isStreamingMethod,
  type JsonRpcId,
  parseEnvelope,
  versionOf,
  versionParamOf,
} from '../adapters/a2a/jsonrpc.js';
import { activatedExtensions, EXTENSIONS_HEADER } from '../adapters/a2a/product-watch-extension.js';
import type { Caller } from '../adapters/a2a/to-intent.js';
import type { AppContext } from '../app-context.js';
import { callerOf } from '../http/a2a/caller.js';
import { entityTagOf, isNotModified } from '../http/a2a/conditional-get.js';
import { type CallDeps, handleCall } from '../http/a2a/handle-call.js';
import { rendererFor } from '../http/a2a/render.js';
import { streamError, streamTask } from '../http/a2a/stream-task.js';
import { publicBaseUrl } from '../http/public-base-url.js';
import type { App } from '../http/types.js';
import { INTENTS_QUEUE, TASK_CHANGED_EVENT } from '../queues/intent-queues.js';
import { startJobWorker, workerClosable } from '../queues/job-shell.js';
import { OUTBOX_QUEUE_NAMES } from '../queues/outbox-queues.js';
import { queuePrefix } from '../queues/queue-groups.js';
import { createIntentExecutor } from '../services/default-intent-executor.js';
import type { IntentExecutor } from '../services/intent-executor.js';
import { IntentTaskService } from '../services/intent-tasks.js';
import { IntentTaskStore } from '../store/intent-task-store.js';
import { ap2PaymentsOf } from './ap2-payments.js';
import { catalogRuntime } from './catalog-runtime.js';
import { createCheckoutService } from './checkout-runtime.js';
import type { Feature } from './feature.js';
import { subscriptionServiceOf } from './subscriptions.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export const A2A_ENDPOINT_PATH = '/a2a';
/** The v1 kit derives the endpoint from the card URL with a trailing slash: the same endpoint. */
const ENDPOINT_PATHS = [A2A_ENDPOINT_PATH, `${A2A_ENDPOINT_PATH}/`] as const;
const CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'] as const;

/**
 * Profiles come from the catalog runtime (owned and closed by the catalog feature), checkout
 * steps from the checkout service; both are the services every other surface uses.
 */
function executorOf(ctx: AppContext, drain?: Queue): IntentExecutor {
  const ap2 = ap2PaymentsOf(ctx);
  return createIntentExecutor({
    profiles: catalogRuntime(ctx).profiles,
    checkout: createCheckoutService(ctx, drain === undefined ? undefined : { drain }),
    signedMandates: {
      async mandateOf(tenant, checkout, presented) {
        const { mandate, outcome } = await ap2.mandateOf(tenant, checkout, presented);
        return { mandate, receipt: (result) => ap2.receipt(outcome, checkout.id, result) };
      },
      async signCheckout(tenant, checkout) {
        const issued = await ap2.issue(tenant, checkout);
        if (issued === undefined) return undefined;
        const { checkoutJwt, checkoutHash, nonce, audience, expiresAt } = issued;
        return { checkoutJwt, checkoutHash, nonce, audience, expiresAt };
      },
    },
  });
}

/** The card's endpoint URL: PUBLIC_BASE_URL, else the address this server listens on. */
function endpointUrl(ctx: AppContext, request: FastifyRequest): string {
  if (ctx.config.PUBLIC_BASE_URL !== undefined)
    return new URL(A2A_ENDPOINT_PATH, ctx.config.PUBLIC_BASE_URL).toString();
  return `${publicBaseUrl(ctx.config, request)}${A2A_ENDPOINT_PATH}`;
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * The version a request announces: the `A2A-Version` header, else the query parameter of that
 * name (A2A v1.0 §3.6.1 allows either), as the call itself is read (jsonrpc.ts versionOf);
 * '' when neither is there.
 */
function announcedVersionOf(request: FastifyRequest): string {
  const header = request.headers['a2a-version'];
  return (
    ((Array.isArray(header) ? header[0] : header) ?? versionParamOf(request.query))?.trim() ?? ''
  );
}

/** v0.3 (or no header) keeps its plain `error.data`; v1 and any other asked version get v1's. */
function errorShapeOf(request: FastifyRequest): ErrorDataShape {
  const value = announcedVersionOf(request);
  return value === '' || /^0\./.test(value) ? 'v0.3' : 'v1';
}

/** A fault of ours (not a refusal, not Redis being away) goes to the log. */
function logFault(error: unknown, log: FastifyRequest['log']) {
  const status = toJsonRpcError(error).httpStatus;
  if (status >= 500 && status !== 503) log.error({ err: error }, 'a2a call failed');
}

function sendError(reply: FastifyReply, id: JsonRpcId, error: unknown, log: FastifyRequest['log']) {
  const mapped = toJsonRpcError(error, errorShapeOf(reply.request));
  logFault(error, log);
  if (mapped.httpStatus === 401) reply.header('www-authenticate', 'Bearer realm="a2a"');
  return reply.code(mapped.httpStatus).send({ jsonrpc: '2.0', id, error: mapped.error });
}

async function routes(app: App, ctx: AppContext): Promise<void> {
  const queue = new Queue(INTENTS_QUEUE, {
    connection: ctx.producer,
    prefix: queuePrefix(ctx.config, INTENTS_QUEUE),
  });
  // A Queue emits 'error' when Redis goes away; unhandled, that would crash the process.
  queue.on('error', (err) => ctx.logger.warn({ err }, 'intents queue error'));
  let events: QueueEvents | undefined;
  const openEvents = async (): Promise<QueueEvents> => {
    if (events === undefined) {
      events = new QueueEvents(INTENTS_QUEUE, {
        connection: ctx.workerConnection(),
        prefix: queuePrefix(ctx.config, INTENTS_QUEUE),
      });
      events.on('error', (err) => ctx.logger.warn({ err }, 'intents queue events error'));
    }
    await events.waitUntilReady();
    return events;
  };
  // Publishes task-changed events (a cancel) into the same event stream the followers read.
  const announcer = new QueueEventsProducer(INTENTS_QUEUE, {
    connection: ctx.producer,
    prefix: queuePrefix(ctx.config, INTENTS_QUEUE),
  });
  announcer.on('error', (err) => ctx.logger.warn({ err }, 'intents event producer error'));
  app.addHook('onClose', async () => {
    await Promise.allSettled([events?.close(), announcer.close(), queue.close()]);
  });

  const executor = executorOf(ctx);
  const deps: CallDeps = {
    tasks: new IntentTaskService({
      store: new IntentTaskStore(
        ctx.producer,
        ctx.config.KEY_PREFIX,
        ctx.config.A2A_TASK_RETENTION_SECONDS,
      ),
      queue,
      openEvents,
      clock: ctx.clock,
      retentionSeconds: ctx.config.A2A_TASK_RETENTION_SECONDS,
      announce: async (event) => {
        // BullMQ's own default length for a queue's event stream, so this never trims it shorter.
        await announcer.publishEvent({ eventName: TASK_CHANGED_EVENT, ...event }, 10_000);
      },
      onWatchesChanged: (open) => ctx.metrics.a2aTaskWatches.set(open),
    }),
    supports: (action) => executor.supports(action),
    clock: ctx.clock,
    blockingTimeoutMs: ctx.config.A2A_BLOCKING_TIMEOUT_MS,
    // The service the REST subscriptions use; the subscriptions feature projects and delivers.
    watches: {
      subscriptions: subscriptionServiceOf(ctx),
      production: ctx.config.NODE_ENV === 'production',
    },
  };

  // Errors before the handler (body too large, bad JSON, wrong content type) answer JSON-RPC too.
  app.setErrorHandler((error, request, reply) => sendError(reply, null, error, request.log));

  // The card changes only when the process does (a deploy, a new PUBLIC_BASE_URL).
  const cardLastModified = new Date(ctx.clock.nowMs()).toUTCString();
  const cardLastModifiedMs = Date.parse(cardLastModified);
  for (const path of CARD_PATHS) {
    app.get(path, async (request, reply) => {
      const options = {
        endpointUrl: endpointUrl(ctx, request),
        version: PACKAGE_VERSION,
        streaming: true,
      };
      // Clients that announce 1.0 (header or query parameter) get the v1.0 card; the others the
      // v0.3 superset of it, since an empty version is 0.3 (§3.6.2). README "Discovery" says why.
      const wantsV1 = /^1(\.|$)/.test(announcedVersionOf(request));
      const body = JSON.stringify(wantsV1 ? agentCardV1(options) : agentCardV03(options));
      // The tag is of the bytes served, so each variant (and each endpoint URL) has its own.
      const entityTag = entityTagOf(body);
      reply
        .header('vary', 'A2A-Version')
        .header('cache-control', 'public, max-age=300')
        .header('etag', entityTag)
        .header('last-modified', cardLastModified);
      if (isNotModified(request.headers, entityTag, cardLastModifiedMs))
        return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    });
  }

  /** One request object of a batch: its response, or undefined for a notification (§6). */
  const answerInBatch = async (
    element: unknown,
    version: A2aVersion,
    caller: Caller,
    log: FastifyRequest['log'],
  ): Promise<object | undefined> => {
    let id = idOf(element);
    try {
      const call = parseEnvelope(element);
      id = call.id;
      // A stream needs the whole reply; a notification of one is run, with nothing to stream.
      if (isStreamingMethod(call.method) && !call.notification)
        throw new A2aProtocolError(
          'UNSUPPORTED_OPERATION',
          `${call.method} streams its answer; send it alone, not in a batch`,
        );
      const answer = await handleCall(version, call, caller, deps);
      if (call.notification || answer.kind !== 'result') return undefined;
      return { jsonrpc: '2.0', id, result: answer.result };
    } catch (error) {
      logFault(error, log);
      if (unanswered(element, error)) return undefined;
      return { jsonrpc: '2.0', id, error: toJsonRpcError(error).error };
    }
  };

  const endpointOptions = {
    bodyLimit: ctx.config.A2A_MAX_BODY_BYTES,
    // Before the body is read: an unauthenticated caller costs no parsing.
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      const caller = callerOf(ctx.config.AUTH_TOKENS, request.headers.authorization);
      if (caller === undefined)
        return sendError(reply, null, new A2aProtocolError('UNAUTHENTICATED'), request.log);
      request.tenant = caller.tenant;
      request.a2aCaller = caller;
    },
  };
  const endpoint = async (request: FastifyRequest, reply: FastifyReply) => {
    const body: unknown = request.body;
    let id = idOf(body);
    let streamsErrors = false;
    echoActivatedExtensions(request, reply);
    try {
      // fastify also parses text/plain; the JSON-RPC binding takes application/json only.
      if (!isJson(request.headers['content-type']))
        throw new A2aProtocolError(
          'CONTENT_TYPE_NOT_SUPPORTED',
          'Unsupported Content-Type; expected application/json',
        );
      const version = versionOf(request.headers['a2a-version'], versionParamOf(request.query));
      const caller = request.a2aCaller;
      if (caller === undefined) throw new A2aProtocolError('UNAUTHENTICATED');
      if (Array.isArray(body)) {
        // JSON-RPC §6: an empty batch is one Invalid Request; otherwise an array of the
        // responses, and no body at all when every element was a notification.
        if (body.length === 0) throw new A2aProtocolError('INVALID_REQUEST');
        const responses = await Promise.all(
          body.map((element) => answerInBatch(element, version, caller, request.log)),
        );
        const answered = responses.filter((response) => response !== undefined);
        if (answered.length === 0) return reply.code(204).send();
        return reply.send(answered);
      }
      const call = parseEnvelope(body);
      id = call.id;
      streamsErrors = version === '0.3' && isStreamingMethod(call.method) && !call.notification;
      const answer = await handleCall(version, call, caller, deps);
      // JSON-RPC §4.1: a notification is run and never answered.
      if (call.notification) return reply.code(204).send();
      if (answer.kind === 'result')
        return reply.send({ jsonrpc: '2.0', id, result: answer.result });
      return streamTask(reply, id, rendererFor(version), answer, deps);
    } catch (error) {
      if (unanswered(body, error)) return reply.code(204).send();
      // v0.3 clients read a streaming method's refusal from the stream (the v0.3 TCK's client
      // refuses any other content type); errors that an HTTP status carries (503) keep it.
      const mapped = toJsonRpcError(error);
      if (streamsErrors && mapped.httpStatus === 200) {
        logFault(error, request.log);
        return streamError(reply, id, mapped.error);
      }
      return sendError(reply, id, error, request.log);
    }
  };
  for (const path of ENDPOINT_PATHS) app.post(path, endpointOptions, endpoint);
}

/**
 * Names, in the response's extensions header, the extensions of ours the request activated
 * (the extensions guide: the response SHOULD list them), in the header of the version asked
 * for. Set on the raw response so that a hijacked event stream carries it too.
 */
function echoActivatedExtensions(request: FastifyRequest, reply: FastifyReply): void {
  const version = /^1(\.|$)/.test(announcedVersionOf(request)) ? '1.0' : '0.3';
  const activated = activatedExtensions(version, request.headers);
  if (activated.length > 0)
    reply.raw.setHeader(EXTENSIONS_HEADER[version].answer, activated.join(', '));
}

/**
 * A request object without an `id` member is a notification: JSON-RPC never answers it, not even
 * with an error (§4.1). One that is not a valid request object at all gets Invalid Request (§5).
 */
function unanswered(body: unknown, error: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || 'id' in body)
    return false;
  const looksLikeCall =
    (body as { jsonrpc?: unknown }).jsonrpc === '2.0' &&
    typeof (body as { method?: unknown }).method === 'string';
  return looksLikeCall && toJsonRpcError(error).error.code !== -32600;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated A2A caller (tenant and credential id), set by the endpoint's hook. */
    a2aCaller?: import('../adapters/a2a/to-intent.js').Caller;
  }
}

/** The A2A ingress: agent card, JSON-RPC endpoint (v1.0 and v0.3), and the intent worker. */
export const a2aFeature: Feature = {
  name: 'a2a',
  queues: [INTENTS_QUEUE],
  publicRoutes: routes,
  async startWorkers(ctx) {
    // Checkout steps wake the outbox drain through its queue, as the checkout API does.
    const drain = new Queue(OUTBOX_QUEUE_NAMES.drain, {
      connection: ctx.redis,
      prefix: queuePrefix(ctx.config, OUTBOX_QUEUE_NAMES.drain),
    });
    const executor = executorOf(ctx, drain);
    const worker = startJobWorker(
      processIntentJob,
      {
        executor,
        tasks: new IntentTaskStore(
          ctx.redis,
          ctx.config.KEY_PREFIX,
          ctx.config.A2A_TASK_RETENTION_SECONDS,
        ),
        clock: ctx.clock,
      },
      ctx.workerConnection(),
      {
        logger: ctx.logger,
        metrics: ctx.metrics,
        prefixes: ctx.config,
        concurrency: ctx.config.A2A_WORKER_CONCURRENCY,
      },
    );
    return [
      workerClosable(ctx.health, worker),
      { name: 'a2a-drain-queue', phase: 'queues', close: () => drain.close() },
    ];
  },
};
