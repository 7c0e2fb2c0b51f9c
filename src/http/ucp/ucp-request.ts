import type { FastifyRequest } from 'fastify';
import type { Caller } from '../../adapters/a2a/to-intent.js';
import type { Negotiated } from '../../adapters/ucp/negotiated.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated UCP caller (tenant and a stable id of its credential). */
    ucpCaller?: Caller;
    /** What the request negotiated (set by the negotiation hook of the UCP scope). */
    ucpNegotiated?: Negotiated;
  }
}

/** The caller the UCP guard set; a route in the UCP scope always has one. */
export function ucpCallerOf(request: FastifyRequest): Caller {
  const caller = request.ucpCaller;
  if (caller === undefined) throw new Error('a UCP route ran without the UCP guard');
  return caller;
}

/** What the request negotiated; a route in the UCP scope always has it. */
export function ucpNegotiatedOf(request: FastifyRequest): Negotiated {
  const negotiated = request.ucpNegotiated;
  if (negotiated === undefined) throw new Error('a UCP route ran without negotiation');
  return negotiated;
}
