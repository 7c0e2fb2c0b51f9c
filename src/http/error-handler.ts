import type {
  FastifyError,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { jsonPath, UNKNOWN_FIELD } from '../domain/facts-document.js';
import { AppError } from '../errors/codes.js';
import { TENANT_CHALLENGE } from './auth.js';
import { fromFrameworkError, type RequestFacts } from './framework-errors.js';

/** The admin error body, following fastify's lib/error-handler.js: {error, code, message, statusCode}. */
export interface ErrorBody {
  error: string;
  code: string;
  message: string;
  statusCode: number;
  details?: unknown;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorBody(
  code: string,
  message: string,
  statusCode: number,
  details?: unknown,
): ErrorBody {
  const body: ErrorBody = { error: STATUS_TEXT[statusCode] ?? 'Error', code, message, statusCode };
  if (details !== undefined) body.details = details;
  return body;
}

/** `/products/0/price` → ['products', 0, 'price'] */
function pathOf(instancePath: string): PropertyKey[] {
  return instancePath
    .split('/')
    .slice(1)
    .filter((part) => part.length > 0)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The answer to an error we can name (ours, or fastify's client errors); undefined for a fault. */
export function knownErrorBody(error: unknown, request: RequestFacts = {}): ErrorBody | undefined {
  const known = error instanceof AppError ? error : fromFrameworkError(error, request);
  return known && errorBody(known.code, known.message, known.statusCode, known.details);
}

function requestFacts(request: FastifyRequest): RequestFacts {
  return {
    contentType: request.headers['content-type'],
    bodyLimitBytes: request.routeOptions.bodyLimit,
    url: `${request.method} ${request.url}`,
  };
}

/** One problem per zod issue; an unknown key is one problem per key, named by its own path. */
function problemsOf(error: FastifyError & { validation: FastifySchemaValidationError[] }) {
  const root = error.validationContext ?? 'body';
  return error.validation.flatMap((issue) => {
    const at = pathOf(issue.instancePath);
    const keys = (issue.params as { keys?: unknown }).keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys))
      return keys.map((key) => ({
        path: `${root}${jsonPath([...at, String(key)]).slice(1)}`,
        message: root === 'querystring' ? 'unknown query parameter' : UNKNOWN_FIELD,
      }));
    return [{ path: `${root}${jsonPath(at).slice(1)}`, message: issue.message }];
  });
}

/**
 * Maps every error to a clear JSON answer. Bad input is always a 4xx naming each problem by path;
 * only a genuine fault is a 500, and its details stay in the log.
 */
export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // An idempotency key still held by its first request: say when to try again.
  if (error instanceof AppError && error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    // A route that needs a body got none and no content type either: say what to send.
    if (
      error.validationContext === 'body' &&
      request.body == null &&
      request.headers['content-type'] === undefined
    ) {
      const missing = new AppError('UNSUPPORTED_MEDIA_TYPE', ['(none)']);
      reply.code(415).send(errorBody(missing.code, missing.message, 415));
      return;
    }
    const problems = problemsOf(error);
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    reply
      .code(400)
      .send(errorBody('VALIDATION_FAILED', `request is invalid: ${summary}`, 400, problems));
    return;
  }
  const known = knownErrorBody(error, requestFacts(request));
  if (known !== undefined) {
    // Every 401 names the scheme to authenticate with (RFC 9110 §15.5.2). The operator pages and
    // /metrics set their own before throwing; any other 401 is the tenant API's.
    if (known.statusCode === 401 && !reply.hasHeader('www-authenticate'))
      reply.header('www-authenticate', TENANT_CHALLENGE);
    reply.code(known.statusCode).send(known);
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  reply.code(500).send(errorBody('INTERNAL', 'internal error', 500));
}
