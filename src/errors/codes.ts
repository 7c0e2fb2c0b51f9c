/**
 * Errors the HTTP surface answers with, one table like fastify's lib/errors.js. Each code has a
 * message template (%s filled in order), an HTTP status and whether a retry may succeed.
 * Codes are only ever added; retired ones go to RETIRED_ERROR_CODES and are never reused.
 * Domain blockers are NOT errors: a blocked decision is a normal answer (domain/blockers.ts).
 */
export const ERROR_CODES = {
  UNAUTHORIZED: { message: 'missing or invalid bearer token', statusCode: 401, retryable: false },
  FORBIDDEN: { message: '%s', statusCode: 403, retryable: false },
  NOT_FOUND: { message: '%s not found', statusCode: 404, retryable: false },
  VALIDATION_FAILED: { message: 'request is invalid: %s', statusCode: 400, retryable: false },
  PAYLOAD_TOO_LARGE: {
    message: 'request body is larger than %s bytes',
    statusCode: 413,
    retryable: false,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    message: 'content type %s is not accepted: send the body as application/json',
    statusCode: 415,
    retryable: false,
  },
  IDEMPOTENCY_KEY_MISSING: {
    message: 'Idempotency-Key header is required',
    statusCode: 400,
    retryable: false,
  },
  IDEMPOTENCY_CONFLICT: {
    message: 'key %s reused with a different body',
    statusCode: 422,
    retryable: false,
  },
  IDEMPOTENCY_IN_FLIGHT: {
    message: 'a request with key %s is still in flight',
    statusCode: 409,
    retryable: true,
  },
  CONFLICT: { message: '%s', statusCode: 409, retryable: false },
  RATE_LIMITED: { message: 'too many requests', statusCode: 429, retryable: true },
  BACKEND_UNAVAILABLE: { message: '%s is unavailable', statusCode: 503, retryable: true },
  SHUTTING_DOWN: { message: 'the service is shutting down', statusCode: 503, retryable: true },
  INTERNAL: { message: 'internal error', statusCode: 500, retryable: true },
  /** The body says `application/json` but does not parse (fastify's FST_ERR_CTP_*_JSON_BODY). */
  INVALID_JSON: {
    message: 'request body is not valid JSON: %s',
    statusCode: 400,
    retryable: false,
  },
  /** A request the framework refused before any route saw it (bad URL, Content-Length lie). */
  BAD_REQUEST: { message: '%s', statusCode: 400, retryable: false },
  OPERATOR_UNAUTHORIZED: {
    message:
      'the operator token is required: sign in with any user name and OPERATOR_TOKEN as password, or send it as a bearer token',
    statusCode: 401,
    retryable: false,
  },
} as const satisfies Record<string, { message: string; statusCode: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const RETIRED_ERROR_CODES: readonly string[] = [];

export interface AppErrorOptions {
  /** Sent as `Retry-After` (seconds): when a retry of a retryable error may succeed. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly statusCode: number;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    args: readonly (string | number)[] = [],
    readonly details?: unknown,
    options: AppErrorOptions = {},
  ) {
    const entry = ERROR_CODES[code];
    let i = 0;
    super(entry.message.replace(/%s/g, () => String(args[i++] ?? '')));
    this.name = 'AppError';
    this.statusCode = entry.statusCode;
    this.retryable = entry.retryable;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
