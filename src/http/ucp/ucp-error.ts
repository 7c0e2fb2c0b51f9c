import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { jsonPath } from '../../domain/facts-document.js';
import type { AppError, ErrorCode } from '../../errors/codes.js';
import { clientErrorOf } from '../framework-errors.js';

/**
 * UCP's protocol errors (2026-04-08, checkout-rest.md "Error Responses": "Return appropriate
 * HTTP status code (401, 403, 409, 429, 503) with JSON body containing `code` and `content`";
 * overview.md's discovery failures carry the same body with an optional `continue_url`).
 * Business outcomes are not errors: they are 200 answers with `messages[]`.
 */
export interface UcpProtocolError {
  code: string;
  content: string;
  continue_url?: string;
}

/** Thrown by UCP route code; the UCP scope's error handler answers it as is. */
export class UcpFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: UcpProtocolError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.content);
    this.name = 'UcpFailure';
  }
}

export function ucpFailure(statusCode: number, code: string, content: string): UcpFailure {
  return new UcpFailure(statusCode, { code, content });
}

export function sendUcpFailure(reply: FastifyReply, failure: UcpFailure): FastifyReply {
  for (const [name, value] of Object.entries(failure.headers)) reply.header(name, value);
  return reply.code(failure.statusCode).send(failure.body);
}

/** `/line_items/0/quantity` → `$.line_items[0].quantity`. */
function pathOf(instancePath: string): string {
  return jsonPath(
    instancePath
      .split('/')
      .slice(1)
      .filter((part) => part.length > 0)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
  );
}

/** Our errors that are all a malformed request in UCP's words (`invalid_request`). */
const INVALID_REQUEST_CODES: ReadonlySet<ErrorCode> = new Set([
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'BAD_REQUEST',
]);

/**
 * The UCP code of one of our client errors: the code a route named in the error's details
 * (catalog-routes.ts says `request_too_large` for too many ids), else `invalid_request` for a
 * malformed request, else our own code in lower case (`payload_too_large` …).
 */
function ucpCodeOf(error: AppError): string {
  const [detail] = Array.isArray(error.details) ? (error.details as unknown[]) : [];
  if (
    typeof detail === 'object' &&
    detail !== null &&
    'code' in detail &&
    typeof detail.code === 'string'
  )
    return detail.code;
  return INVALID_REQUEST_CODES.has(error.code) ? 'invalid_request' : error.code.toLowerCase();
}

/**
 * The UCP scope's error handler: a failure we raised answers as itself; a request the route
 * schema refused is 400 `invalid_request` naming every problem by JSONPath; fastify's own client
 * errors (bad JSON, body too large, wrong content type) keep their status; anything else is a
 * logged 500 `internal_error`, never a stack trace on the wire.
 */
export function ucpErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error instanceof UcpFailure) {
    sendUcpFailure(reply, error);
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = error.validation.map(
      (issue) =>
        `${error.validationContext ?? 'body'} ${pathOf(issue.instancePath)}: ${issue.message}`,
    );
    sendUcpFailure(reply, ucpFailure(400, 'invalid_request', problems.join('; ')));
    return;
  }
  const known = clientErrorOf(error, request);
  if (known !== undefined && known.statusCode < 500) {
    sendUcpFailure(reply, ucpFailure(known.statusCode, ucpCodeOf(known), known.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error on a UCP endpoint');
  const status = known?.statusCode ?? 500;
  sendUcpFailure(
    reply,
    ucpFailure(
      status,
      status === 503 ? 'service_unavailable' : 'internal_error',
      'The request could not be processed; it is safe to retry with the same Idempotency-Key',
    ),
  );
}
