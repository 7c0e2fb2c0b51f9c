import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { jsonPath } from '../domain/facts-document.js';
import { AppError } from '../errors/codes.js';

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

/**
 * Maps every error to a clear JSON answer. Bad input is always a 4xx naming each problem by path;
 * only a genuine fault is a 500, and its details stay in the log.
 */
export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error instanceof AppError) {
    if (error.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    }
    reply
      .code(error.statusCode)
      .send(errorBody(error.code, error.message, error.statusCode, error.details));
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = error.validation.map((issue) => ({
      path: `${error.validationContext ?? 'body'}${jsonPath(pathOf(issue.instancePath)).slice(1)}`,
      message: issue.message,
    }));
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    reply
      .code(400)
      .send(errorBody('VALIDATION_FAILED', `request is invalid: ${summary}`, 400, problems));
    return;
  }
  const status = error.statusCode ?? 500;
  if (status === 413) {
    reply.code(413).send(errorBody('PAYLOAD_TOO_LARGE', error.message, 413));
    return;
  }
  if (status === 415) {
    reply.code(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', error.message, 415));
    return;
  }
  if (status >= 400 && status < 500) {
    // fastify's own client errors: malformed JSON, empty body with a JSON content type, ...
    reply.code(status).send(errorBody(error.code ?? 'BAD_REQUEST', error.message, status));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  reply.code(500).send(errorBody('INTERNAL', 'internal error', 500));
}
