import { z } from 'zod';
import { jsonPath } from '../../domain/index.js';
import { AppError, type ErrorCode } from '../../errors/codes.js';

/**
 * The A2A JSON-RPC error table, one row per error the endpoint can answer (compare bullmq's
 * src/enums/error-code.ts). Numbers follow JSON-RPC 2.0 and the A2A spec's JSON-RPC binding
 * (-32001 … -32009, the same numbers `@a2a-js/sdk` maps back to typed errors). The HTTP status
 * is 200 for every protocol error, as the binding says; only failures of the transport itself
 * use another status: 401 (no credentials, with WWW-Authenticate), 413 (body over the limit)
 * and 503 (the queue cannot take work right now, retry later).
 *
 * UNAUTHENTICATED and UNAVAILABLE use numbers from the implementation-defined server range
 * counting down from -32099, so they never collide with the codes A2A adds upwards from -32001.
 */
export const A2A_ERRORS = {
  PARSE_ERROR: { code: -32700, httpStatus: 200, message: 'Invalid JSON payload' },
  INVALID_REQUEST: {
    code: -32600,
    httpStatus: 200,
    message: 'Request is not a JSON-RPC 2.0 request',
  },
  METHOD_NOT_FOUND: { code: -32601, httpStatus: 200, message: 'Method not found' },
  INVALID_PARAMS: { code: -32602, httpStatus: 200, message: 'Invalid params' },
  INTERNAL_ERROR: { code: -32603, httpStatus: 500, message: 'Internal error' },
  TASK_NOT_FOUND: { code: -32001, httpStatus: 200, message: 'Task not found' },
  TASK_NOT_CANCELABLE: { code: -32002, httpStatus: 200, message: 'Task cannot be canceled' },
  PUSH_NOTIFICATION_NOT_SUPPORTED: {
    code: -32003,
    httpStatus: 200,
    message: 'Push notifications are not supported',
  },
  UNSUPPORTED_OPERATION: { code: -32004, httpStatus: 200, message: 'Operation not supported' },
  CONTENT_TYPE_NOT_SUPPORTED: {
    code: -32005,
    httpStatus: 200,
    message: 'Content type not supported',
  },
  EXTENDED_CARD_NOT_CONFIGURED: {
    code: -32007,
    httpStatus: 200,
    message: 'No extended agent card is configured',
  },
  VERSION_NOT_SUPPORTED: { code: -32009, httpStatus: 200, message: 'Version not supported' },
  PAYLOAD_TOO_LARGE: { code: -32600, httpStatus: 413, message: 'Request body is too large' },
  UNAUTHENTICATED: {
    code: -32099,
    httpStatus: 401,
    message: 'Missing or invalid bearer token',
  },
  UNAVAILABLE: { code: -32098, httpStatus: 503, message: 'Service temporarily unavailable' },
} as const satisfies Record<string, { code: number; httpStatus: number; message: string }>;

export type A2aErrorName = keyof typeof A2A_ERRORS;

/** A JSON-RPC error the A2A endpoint answers with; `data` travels as the error's `data`. */
export class A2aProtocolError extends Error {
  constructor(
    readonly kind: A2aErrorName,
    message?: string,
    readonly data?: unknown,
  ) {
    super(message ?? A2A_ERRORS[kind].message);
    this.name = 'A2aProtocolError';
  }
}

/** Every service error code, answered as which A2A error. A new code fails to compile until listed. */
const APP_ERROR_TO_A2A: Record<ErrorCode, A2aErrorName> = {
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'INVALID_REQUEST',
  NOT_FOUND: 'TASK_NOT_FOUND',
  VALIDATION_FAILED: 'INVALID_PARAMS',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'CONTENT_TYPE_NOT_SUPPORTED',
  IDEMPOTENCY_KEY_MISSING: 'INVALID_PARAMS',
  IDEMPOTENCY_CONFLICT: 'INVALID_PARAMS',
  IDEMPOTENCY_IN_FLIGHT: 'UNAVAILABLE',
  CONFLICT: 'INVALID_REQUEST',
  RATE_LIMITED: 'UNAVAILABLE',
  BACKEND_UNAVAILABLE: 'UNAVAILABLE',
  SHUTTING_DOWN: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
  INVALID_JSON: 'PARSE_ERROR',
  BAD_REQUEST: 'INVALID_REQUEST',
  OPERATOR_UNAUTHORIZED: 'UNAUTHENTICATED',
};

export function a2aErrorForAppCode(code: ErrorCode): A2aErrorName {
  return APP_ERROR_TO_A2A[code];
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface MappedError {
  httpStatus: number;
  error: JsonRpcErrorObject;
}

/** One invalid-params problem per zod issue, each named by its JSON path under `params`. */
export function paramsIssues(
  error: z.ZodError,
  root = 'params',
): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: `${root}${jsonPath(issue.path).slice(1)}`,
    message: issue.message,
  }));
}

function fromKind(kind: A2aErrorName, message?: string, data?: unknown): MappedError {
  const row = A2A_ERRORS[kind];
  const error: JsonRpcErrorObject = { code: row.code, message: message ?? row.message };
  if (data !== undefined) error.data = data;
  return { httpStatus: row.httpStatus, error };
}

/** Errors ioredis and BullMQ raise when Redis cannot be reached: retry later, not a fault of ours. */
function isBackendDown(error: Error): boolean {
  return (
    /Stream isn't writeable|Connection is closed|ECONNREFUSED|ETIMEDOUT|Command timed out|enableOfflineQueue|MaxRetriesPerRequest|connect ETIMEDOUT/i.test(
      error.message,
    ) || (error as { code?: string }).code === 'ECONNREFUSED'
  );
}

/**
 * The one mapper from anything thrown on the A2A path to a JSON-RPC error and HTTP status
 * (compare bullmq's finished-errors.ts). Only a genuine fault becomes -32603; its details stay
 * in the log, never in the answer.
 */
export function toJsonRpcError(error: unknown): MappedError {
  if (error instanceof A2aProtocolError) return fromKind(error.kind, error.message, error.data);
  if (error instanceof z.ZodError) {
    const problems = paramsIssues(error);
    return fromKind(
      'INVALID_PARAMS',
      `Invalid params: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
  if (error instanceof AppError) {
    return fromKind(a2aErrorForAppCode(error.code), error.message, error.details);
  }
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413)
      return fromKind('PAYLOAD_TOO_LARGE', error.message);
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415)
      return fromKind(
        'CONTENT_TYPE_NOT_SUPPORTED',
        'Unsupported Content-Type; expected application/json',
      );
    if (
      code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      error instanceof SyntaxError
    )
      return fromKind('PARSE_ERROR');
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500)
      return fromKind('INVALID_REQUEST', error.message);
    if (isBackendDown(error))
      return fromKind('UNAVAILABLE', 'The task queue is unavailable; retry later');
  }
  return fromKind('INTERNAL_ERROR');
}
