import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a Request-Id may be to be echoed: printable ASCII, bounded (a header, not a payload). */
const ECHOABLE = /^[\x21-\x7e]{1,200}$/;

/**
 * `Request-Id` (ACP 2026-04-17: "Echo of the request correlation ID"; UCP 2026-04-08 the same): an onSend hook that
 * answers every request of the scope — replays and refusals too — with the id it was sent with.
 */
export async function echoRequestId(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  const sent = request.headers['request-id'];
  if (typeof sent === 'string' && ECHOABLE.test(sent)) reply.header('request-id', sent);
  return payload;
}
