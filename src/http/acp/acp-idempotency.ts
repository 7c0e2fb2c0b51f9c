import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors/codes.js';
import { IN_FLIGHT_RETRY_AFTER_SECONDS } from '../../services/checkout/idempotency.js';
import {
  IdempotentResponses,
  type IdempotentResponsesDeps,
  type ResponseAdmission,
} from '../../services/idempotent-responses.js';
import { AcpFailure, invalidRequest } from './acp-error.js';
import { acpCallerOf } from './acp-guard.js';

/**
 * ACP's Idempotency-Key on a POST route (2026-04-17, `components/parameters/IdempotencyKey`:
 * "MUST be present on all POST requests. Opaque string, max 255 characters. […] Scoped to
 * authenticated identity + endpoint"):
 *
 * | the request…                               | answer                                        |
 * |--------------------------------------------|-----------------------------------------------|
 * | has no key (or an empty one)               | 400 `idempotency_key_required`                |
 * | has a key over 255 characters              | 400 `idempotency_key_required`, says why      |
 * | is the first under its key                 | runs; its answer is kept (see `isKept`)       |
 * | is the same as the one the key answered    | that answer again, `Idempotent-Replayed: true` |
 * | is the same as one still running           | 409 `idempotency_in_flight` + `Retry-After`   |
 * | differs from the key's (answered/running)  | 422 `idempotency_conflict`                    |
 *
 * "The same" is the same JSON body (key order aside) and path parameters. A key's scope is the
 * tenant, the caller's credential and the endpoint with its path parameters: the same key on
 * another session, another route or from another caller is another key. Every answer to a
 * request with a key echoes it in `Idempotency-Key`. The layer's own refusals (400, 409, 422)
 * happen before the key is held and are never kept; a body the route schema refuses (400) is
 * refused before the key is taken, so the caller can correct it and send it under the same key.
 */

/** The spec's examples (`IdempotencyKeyRequired`, `IdempotencyInFlight`, `IdempotencyConflict`). */
const MESSAGES = {
  required: 'Idempotency-Key header is required',
  inFlight: 'A request with this Idempotency-Key is currently being processed',
  conflict: 'Idempotency-Key has already been used with a different request body',
} as const;

const MAX_KEY_CHARS = 255;

/** Where a route's answers are kept: apart from the checkout service's own keys. */
const NAMESPACE = 'acp-idem';

/**
 * Headers replayed with a kept answer; the rest (dates, request ids, lengths) belong to the
 * answer being sent.
 */
const KEPT_HEADERS = ['content-type', 'location', 'content-language'] as const;

/**
 * Answers that say "not now" rather than "this is the outcome": 408, 409 (a race), 425, 429.
 * Like a 5xx (never kept: ACP, "no caching of 5xx"), they release the key, so the same request
 * runs again when retried.
 */
const RETRY_LATER = new Set([408, 409, 425, 429]);

/**
 * Whether an answer is the key's for good. ACP 2026-04-17 lists 4XX answers (`Error`) among
 * every POST's responses and refuses a key "already been used with a different request body"
 * (`IdempotencyConflict`) — used, not "answered 2xx" — so a client error that is the request's
 * outcome (404 unknown session, 405 not cancelable, 422 invalid card) is kept and replayed like
 * a success: the same request gets the same answer, and the key cannot be reused for another.
 */
export function isKept(status: number): boolean {
  return status < 500 && !RETRY_LATER.has(status);
}

export type AcpIdempotencyOptions = Omit<IdempotentResponsesDeps, 'namespace'>;

interface KeyState {
  key: string;
  /** Path parameters and query as sent (before the route schema's coercion). */
  params?: unknown;
  sent?: unknown;
  settle?: Extract<ResponseAdmission, { kind: 'run' }>['settle'];
}

function keyOf(request: FastifyRequest): string {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  if (key === undefined || key.length === 0) {
    throw invalidRequest(400, 'idempotency_key_required', MESSAGES.required);
  }
  if (key.length > MAX_KEY_CHARS) {
    // The delegate_payment Error lists its codes; this is the one that says "send a usable key".
    throw invalidRequest(
      400,
      'idempotency_key_required',
      `Idempotency-Key must be at most ${MAX_KEY_CHARS} characters (this one has ${key.length})`,
    );
  }
  return key;
}

function refusalOf(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  if (error.code === 'IDEMPOTENCY_CONFLICT') {
    return invalidRequest(422, 'idempotency_conflict', MESSAGES.conflict);
  }
  if (error.code === 'IDEMPOTENCY_IN_FLIGHT') {
    const seconds = error.retryAfterSeconds ?? IN_FLIGHT_RETRY_AFTER_SECONDS;
    return new AcpFailure(
      409,
      { type: 'invalid_request', code: 'idempotency_in_flight', message: MESSAGES.inFlight },
      { 'retry-after': String(seconds) },
    );
  }
  return error;
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
 * The Idempotency-Key layer of ACP POST routes. `route(endpoint)` gives the hooks one route
 * spreads into its options (`endpoint` names it within the caller's scope, e.g.
 * `complete_session`); they run after the ACP scope's guard, which set `request.acpCaller`.
 */
export function acpIdempotency(options: AcpIdempotencyOptions) {
  const responses = new IdempotentResponses({ ...options, namespace: NAMESPACE });
  const states = new WeakMap<FastifyRequest, KeyState>();

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
          const { tenant, callerId } = acpCallerOf(request);
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
            request.log.warn('an ACP answer that is not a string or a buffer is not kept');
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

export type AcpIdempotency = ReturnType<typeof acpIdempotency>;

/** The layer on the process's settings: the checkout's Idempotency-Key TTLs, the request path's Redis. */
export function acpIdempotencyOf(ctx: AppContext): AcpIdempotency {
  return acpIdempotency({
    redis: ctx.producer,
    prefix: ctx.config.KEY_PREFIX,
    nowMs: () => ctx.clock.nowMs(),
    ttlSeconds: ctx.config.IDEMPOTENCY_TTL_SECONDS,
    claimTtlMs: ctx.config.IDEMPOTENCY_CLAIM_TTL_MS,
  });
}
