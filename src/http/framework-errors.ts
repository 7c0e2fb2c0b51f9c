import type { FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors/codes.js';

/**
 * fastify's own client errors (its lib/errors.js), answered with our codes: a client reads
 * INVALID_JSON, never FST_ERR_CTP_INVALID_JSON_BODY. One row per error fastify raises before a
 * route runs; any other error with a 4xx status is answered by that status (BY_STATUS), else as
 * BAD_REQUEST, so no framework code and no library's error shape reaches a client.
 */
export const FRAMEWORK_ERRORS = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_INVALID_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'BAD_REQUEST',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
} as const satisfies Record<string, ErrorCode>;

/** What the messages may name about the request; the bull-board scope knows neither. */
export interface RequestFacts {
  contentType?: string | undefined;
  bodyLimitBytes?: number | undefined;
  url?: string | undefined;
}

/** A client error by HTTP status alone, for 4xx errors with no row (or no FST_ code at all). */
const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

interface ClientError extends Error {
  code?: unknown;
  statusCode?: unknown;
}

function argsFor(code: ErrorCode, error: ClientError, request: RequestFacts) {
  switch (code) {
    case 'INVALID_JSON':
      return [
        error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'the body is empty although Content-Type says application/json'
          : 'it does not parse',
      ];
    case 'UNSUPPORTED_MEDIA_TYPE':
      return [request.contentType === undefined ? '(none)' : JSON.stringify(request.contentType)];
    case 'PAYLOAD_TOO_LARGE':
      return [request.bodyLimitBytes ?? 'the allowed number of'];
    case 'NOT_FOUND':
      return [request.url === undefined ? 'route' : `route ${request.url}`];
    default:
      return [error.message];
  }
}

/**
 * The AppError a framework (or other 4xx) error is answered as, or undefined when the error is
 * a fault: one of ours is already an AppError, and anything else without a 4xx status is a 500.
 */
export function fromFrameworkError(
  error: unknown,
  request: RequestFacts = {},
): AppError | undefined {
  if (!(error instanceof Error) || error instanceof AppError) return undefined;
  const clientError = error as ClientError;
  const byCode =
    typeof clientError.code === 'string'
      ? (FRAMEWORK_ERRORS as Record<string, ErrorCode>)[clientError.code]
      : undefined;
  const status = typeof clientError.statusCode === 'number' ? clientError.statusCode : 500;
  const code =
    byCode ?? (status >= 400 && status < 500 ? (BY_STATUS[status] ?? 'BAD_REQUEST') : undefined);
  return code === undefined ? undefined : new AppError(code, argsFor(code, clientError, request));
}

/**
 * The AppError an error a protocol scope's handler caught is answered as: ours as it is, a
 * framework's client error mapped from the request it failed; undefined for a fault (a 500).
 */
export function clientErrorOf(error: unknown, request: FastifyRequest): AppError | undefined {
  if (error instanceof AppError) return error;
  return fromFrameworkError(error, {
    contentType: request.headers['content-type'],
    bodyLimitBytes: request.routeOptions.bodyLimit,
    url: `${request.method} ${request.url}`,
  });
}
