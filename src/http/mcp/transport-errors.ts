import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { fromFrameworkError } from '../framework-errors.js';

/**
 * Errors fastify raises before the MCP handler runs (a body that is not JSON, over the size
 * limit, of another media type) answered as the SDK's transport answers its own: the HTTP
 * status with a JSON-RPC error object and `id: null`, since no request id could be read. An MCP
 * client parses a JSON-RPC error; our REST error shape would be noise to it.
 */
export function mcpTransportErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = fromFrameworkError(error, {
    contentType: request.headers['content-type'],
    bodyLimitBytes: request.routeOptions.bodyLimit,
    url: `${request.method} ${request.url}`,
  });
  if (known === undefined) {
    request.log.error({ err: error }, 'unhandled error on the MCP endpoint');
    reply.code(500).send(rpcError(ErrorCode.InternalError, 'Internal error'));
    return;
  }
  if (known.code === 'INVALID_JSON') {
    reply.code(400).send(rpcError(ErrorCode.ParseError, `Parse error: ${known.message}`));
    return;
  }
  reply.code(known.statusCode).send(rpcError(HTTP_REFUSAL, known.message));
}

/**
 * The implementation-defined server error the SDK's transport answers its HTTP-level refusals
 * with (413, 415, 406, an unsupported protocol version): one code for the same kind of refusal.
 */
const HTTP_REFUSAL = -32000;

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}
