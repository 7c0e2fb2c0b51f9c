import type {
  FastifyError,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { jsonPath } from '../../domain/facts-document.js';
import { clientErrorOf } from '../framework-errors.js';

/**
 * ACP's protocol-level `Error` (spec 2026-04-17, `$defs/Error`): what every ACP endpoint answers
 * when there is no valid resource state to return. `param` is an RFC 9535 JSONPath into the
 * request; `supported_versions` only on version errors.
 */
export interface AcpError {
  type: 'invalid_request' | 'rate_limit_exceeded' | 'processing_error' | 'service_unavailable';
  code: string;
  message: string;
  param?: string;
  supported_versions?: string[];
}

/** Thrown by ACP route code; the ACP scope's error handler answers it as is. */
export class AcpFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: AcpError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.message);
    this.name = 'AcpFailure';
  }
}

export function invalidRequest(
  statusCode: number,
  code: string,
  message: string,
  param?: string,
): AcpFailure {
  const body: AcpError = { type: 'invalid_request', code, message };
  if (param !== undefined) body.param = param;
  return new AcpFailure(statusCode, body);
}

/**
 * How a route set words its errors. Most ACP specs share one `Error`; one whose `Error` is
 * narrower (delegate_payment enumerates its types and codes) rewrites each body into it.
 */
export type AcpErrorDialect = (body: AcpError, statusCode: number) => AcpError;

const asIs: AcpErrorDialect = (body) => body;

export function sendAcpError(
  reply: FastifyReply,
  failure: AcpFailure,
  dialect: AcpErrorDialect = asIs,
): FastifyReply {
  for (const [name, value] of Object.entries(failure.headers)) reply.header(name, value);
  return reply.code(failure.statusCode).send(dialect(failure.body, failure.statusCode));
}

/** `/line_items/0/id` → `$.line_items[0].id`, rooted at the request part that was refused. */
function paramOf(issue: FastifySchemaValidationError): string {
  const at = issue.instancePath
    .split('/')
    .slice(1)
    .filter((part) => part.length > 0)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const keys = (issue.params as { keys?: unknown }).keys;
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0)
    at.push(String(keys[0]));
  return jsonPath(at);
}

/**
 * The ACP scope's error handler: a failure we raised answers as itself; a request the route
 * schema refused is `invalid_request` naming the first problem by JSONPath (all problems in the
 * message); fastify's own client errors keep their status; anything else is a
 * `processing_error` 500, logged, never a stack trace on the wire.
 */
export function acpErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  acpErrorHandlerOf(asIs)(error, request, reply);
}

/** The ACP scope's error handler, its answers worded in `dialect`. */
export function acpErrorHandlerOf(dialect: AcpErrorDialect) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void =>
    answerAcpError(error, request, reply, dialect);
}

function answerAcpError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  dialect: AcpErrorDialect,
): void {
  if (error instanceof AcpFailure) {
    sendAcpError(reply, error, dialect);
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation;
    const first = issues[0];
    const messages = issues.map((issue) => `${paramOf(issue)}: ${issue.message}`);
    const failure = invalidRequest(
      400,
      error.validationContext === 'headers' ? 'invalid_header' : 'invalid_request',
      messages.join('; '),
      first === undefined ? undefined : paramOf(first),
    );
    sendAcpError(reply, failure, dialect);
    return;
  }
  const known = clientErrorOf(error, request);
  if (known !== undefined && known.statusCode < 500) {
    sendAcpError(
      reply,
      invalidRequest(known.statusCode, known.code.toLowerCase(), known.message),
      dialect,
    );
    return;
  }
  request.log.error({ err: error }, 'unhandled error on an ACP endpoint');
  const status = known?.statusCode ?? 500;
  sendAcpError(
    reply,
    new AcpFailure(status, {
      type: status === 503 ? 'service_unavailable' : 'processing_error',
      code: status === 503 ? 'service_unavailable' : 'internal_error',
      message:
        'The request could not be processed; it is safe to retry with the same Idempotency-Key',
    }),
    dialect,
  );
}
