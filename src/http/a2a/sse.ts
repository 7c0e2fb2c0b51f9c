import type { FastifyReply } from 'fastify';

/**
 * A server-sent-events response on the raw socket (the A2A streaming binding: each event's
 * `data` is one JSON-RPC response object). fastify stops managing the reply once hijacked.
 */
export interface EventStream {
  send(payload: unknown): void;
  end(): void;
  /** True once the client went away; producers stop early. */
  readonly closed: boolean;
  /** Aborted when the client goes away, so whatever feeds the stream lets go at once. */
  readonly signal: AbortSignal;
}

export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const gone = new AbortController();
  let closed = false;
  raw.on('close', () => {
    closed = true;
    gone.abort();
  });
  return {
    send(payload) {
      if (!closed) raw.write(`data: ${JSON.stringify(payload)}\n\n`);
    },
    end() {
      if (!closed) raw.end();
      closed = true;
    },
    get closed() {
      return closed;
    },
    signal: gone.signal,
  };
}
