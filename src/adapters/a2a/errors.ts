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

function fromKind(
  kind: A2aErrorName,
  message?: string,
  data?: unknown,
): MappedError & { kind: A2aErrorName } {
  const row = A2A_ERRORS[kind];
  const error: JsonRpcErrorObject = { code: row.code, message: message ?? row.message };
  if (data !== undefined) error.data = data;
  return { kind, httpStatus: row.httpStatus, error };
}

/** The ErrorInfo `reason` of each A2A-defined error (v1.0.1 §5.4); the others use their row name. */
const A2A_REASONS: Partial<Record<A2aErrorName, string>> = {
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  TASK_NOT_CANCELABLE: 'TASK_NOT_CANCELABLE',
  PUSH_NOTIFICATION_NOT_SUPPORTED: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  UNSUPPORTED_OPERATION: 'UNSUPPORTED_OPERATION',
  CONTENT_TYPE_NOT_SUPPORTED: 'CONTENT_TYPE_NOT_SUPPORTED',
  EXTENDED_CARD_NOT_CONFIGURED: 'EXTENDED_AGENT_CARD_NOT_CONFIGURED',
  VERSION_NOT_SUPPORTED: 'VERSION_NOT_SUPPORTED',
};

export const A2A_ERROR_DOMAIN = 'a2a-protocol.org';
/** The ErrorInfo domain of errors this service defines itself (not A2A's). */
export const SERVICE_ERROR_DOMAIN = 'agent-commerce-worker';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

function isProblemList(value: unknown): value is { path: string; message: string }[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as { path?: unknown }).path === 'string' &&
        typeof (item as { message?: unknown }).message === 'string',
    )
  );
}

/**
 * v1 `error.data` (spec §9.5): an array of ProtoJSON `Any` messages. Every error carries a
 * `google.rpc.ErrorInfo` (whose metadata is a string map, so other values travel as JSON text);
 * a list of invalid-params problems travels as a `google.rpc.BadRequest` beside it.
 */
function v1ErrorData(kind: A2aErrorName, data: unknown): Record<string, unknown>[] {
  const metadata: Record<string, string> = {};
  let problems: { path: string; message: string }[] = [];
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      if (key === 'problems' && isProblemList(value)) problems = value;
      else if (value !== undefined)
        metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  } else if (data !== undefined) {
    metadata.detail = typeof data === 'string' ? data : JSON.stringify(data);
  }
  const reason = A2A_REASONS[kind];
  const info: Record<string, unknown> = {
    '@type': ERROR_INFO_TYPE,
    reason: reason ?? kind,
    domain: reason === undefined ? SERVICE_ERROR_DOMAIN : A2A_ERROR_DOMAIN,
  };
  if (Object.keys(metadata).length > 0) info.metadata = metadata;
  const details = [info];
  if (problems.length > 0)
    details.push({
      '@type': BAD_REQUEST_TYPE,
      fieldViolations: problems.map((p) => ({ field: p.path, description: p.message })),
    });
  return details;
}

/** Which wire shape an error's `data` takes: v1's typed array, or v0.3's plain object. */
export type ErrorDataShape = 'v1' | 'v0.3';

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
export function toJsonRpcError(error: unknown, shape: ErrorDataShape = 'v0.3'): MappedError {
  const mapped = toMapped(error);
  if (shape === 'v1') mapped.error.data = v1ErrorData(mapped.kind, mapped.error.data);
  return { httpStatus: mapped.httpStatus, error: mapped.error };
}

function toMapped(error: unknown): MappedError & { kind: A2aErrorName } {
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
