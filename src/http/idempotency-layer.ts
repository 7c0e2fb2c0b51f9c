import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../adapters/a2a/to-intent.js';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors/codes.js';
import { IN_FLIGHT_RETRY_AFTER_SECONDS } from '../services/checkout/idempotency.js';
import {
  IdempotentResponses,
  type IdempotentResponsesDeps,
  type ResponseAdmission,
} from '../services/idempotent-responses.js';

/**
 * An `Idempotency-Key` layer for the POST routes of one protocol (ACP, UCP): each protocol says
 * how its refusals read; the rules are the same.
 *
 * | the request…                               | answer                                         |
 * |--------------------------------------------|------------------------------------------------|
 * | has no key (or an empty one)               | `refusals.required()`                          |
 * | has a key over 255 characters              | `refusals.tooLong(chars)`                      |
 * | is the first under its key                 | runs; its answer is kept (see `isKept`)        |
 * | is the same as the one the key answered    | that answer again, `Idempotent-Replayed: true` |
 * | is the same as one still running           | `refusals.inFlight(seconds)` + `Retry-After`   |
 * | differs from the key's (answered/running)  | `refusals.conflict()`                          |
 *
 * "The same" is the same JSON body (key order aside), path parameters and query. A key's scope
 * is the tenant, the caller's credential and the endpoint with its path parameters: the same key
 * on another resource, another route or from another caller is another key. Every answer to a
 * request with a key echoes it in `Idempotency-Key`. The layer's own refusals happen before the
 * key is held and are never kept; a body the route schema refuses (400) is refused before the
 * key is taken, so the caller can correct it and send it under the same key.
 */

export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** How a protocol words the layer's refusals (each an error its scope's handler answers). */
export interface IdempotencyRefusals {
  required(): Error;
  tooLong(chars: number): Error;
  conflict(): Error;
  inFlight(retryAfterSeconds: number): Error;
}

export interface IdempotencyLayerOptions extends Omit<IdempotentResponsesDeps, 'namespace'> {
  /** Where the layer's answers are kept: apart from the checkout service's own keys. */
  namespace: string;
  /** The authenticated caller (the scope's guard ran before). */
  callerOf(request: FastifyRequest): Caller;
  refusals: IdempotencyRefusals;
}

/**
 * Headers replayed with a kept answer; the rest (dates, request ids, lengths) belong to the
 * answer being sent.
 */
const KEPT_HEADERS = ['content-type', 'location', 'content-language'] as const;

/**
 * Answers that say "not now" rather than "this is the outcome": 408, 409 (a race), 425, 429.
 * Like a 5xx (never kept), they release the key, so the same request runs again when retried.
 */
const RETRY_LATER = new Set([408, 409, 425, 429]);

/**
 * Whether an answer is the key's for good: a client error that is the request's outcome (an
 * unknown session, a refused cancel) is kept and replayed like a success, so the same request
 * gets the same answer and the key cannot be reused for another.
 */
export function isKept(status: number): boolean {
  return status < 500 && !RETRY_LATER.has(status);
}

interface KeyState {
  key: string;
  /** Path parameters as sent (before the route schema's coercion). */
  params?: unknown;
  sent?: unknown;
  settle?: Extract<ResponseAdmission, { kind: 'run' }>['settle'];
}

function bodyOf(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return undefined;
}

function keptHeaders(reply: FastifyReply): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) kept[name] = String(value);
  }
  return kept;
}

/**
 * The layer. `route(endpoint)` gives the hooks one route spreads into its options (`endpoint`
 * names it within the caller's scope, e.g. `complete_session`).
 */
export function idempotencyLayer(options: IdempotencyLayerOptions) {
  const { callerOf, refusals, ...deps } = options;
  const responses = new IdempotentResponses(deps);
  const states = new WeakMap<FastifyRequest, KeyState>();

  const keyOf = (request: FastifyRequest): string => {
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : undefined;
    if (key === undefined || key.length === 0) throw refusals.required();
    if (key.length > MAX_IDEMPOTENCY_KEY_CHARS) throw refusals.tooLong(key.length);
    return key;
  };

  const refusalOf = (error: unknown): unknown => {
    if (!(error instanceof AppError)) return error;
    if (error.code === 'IDEMPOTENCY_CONFLICT') return refusals.conflict();
    if (error.code === 'IDEMPOTENCY_IN_FLIGHT')
      return refusals.inFlight(error.retryAfterSeconds ?? IN_FLIGHT_RETRY_AFTER_SECONDS);
    return error;
  };

  return {
    route(endpoint: string) {
      return {
        // Before the body is read: a request without a key costs no parsing.
        onRequest: async (request: FastifyRequest) => {
          states.set(request, { key: keyOf(request) });
        },
        // The body as parsed, before the route schema strips or coerces anything.
        preValidation: async (request: FastifyRequest) => {
          const state = states.get(request);
          if (state === undefined) return;
          state.params = request.params;
          state.sent = { params: request.params, query: request.query, body: request.body };
        },
        // After validation: a body the schema refuses never takes the key.
        preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
          const state = states.get(request);
          if (state === undefined) return;
          const { tenant, callerId } = callerOf(request);
          let admission: ResponseAdmission;
          try {
            admission = await responses.admit({
              tenant,
              scope: { callerId, endpoint, params: state.params ?? {} },
              key: state.key,
              sent: state.sent,
            });
          } catch (error) {
            throw refusalOf(error);
          }
          if (admission.kind === 'run') {
            state.settle = admission.settle;
            return;
          }
          const { status, headers, body } = admission.response;
          reply.code(status).headers(headers).header('idempotent-replayed', 'true');
          return reply.send(body);
        },
        onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
          const state = states.get(request);
          if (state === undefined) return payload;
          reply.header('idempotency-key', state.key);
          const settle = state.settle;
          if (settle === undefined) return payload;
          state.settle = undefined;
          const body = isKept(reply.statusCode) ? bodyOf(payload) : undefined;
          if (isKept(reply.statusCode) && body === undefined) {
            request.log.warn('an answer that is not a string or a buffer is not kept');
          }
          try {
            await settle(
              body === undefined
                ? undefined
                : { status: reply.statusCode, headers: keptHeaders(reply), body },
            );
          } catch (error) {
            // The answer stands; the key's claim expires on its own and a retry runs again.
            request.log.error({ err: error }, 'the Idempotency-Key answer could not be kept');
          }
          return payload;
        },
      };
    },
  };
}

export type IdempotencyLayer = ReturnType<typeof idempotencyLayer>;

/** The layer's settings every protocol shares: the checkout's key TTLs, the request path's Redis. */
export function idempotencySettingsOf(
  ctx: AppContext,
): Omit<IdempotencyLayerOptions, 'namespace' | 'callerOf' | 'refusals'> {
  return {
    redis: ctx.producer,
    prefix: ctx.config.KEY_PREFIX,
    nowMs: () => ctx.clock.nowMs(),
    ttlSeconds: ctx.config.IDEMPOTENCY_TTL_SECONDS,
    claimTtlMs: ctx.config.IDEMPOTENCY_CLAIM_TTL_MS,
  };
}
