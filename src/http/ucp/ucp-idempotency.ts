import type { AppContext } from '../../app-context.js';
import {
  type IdempotencyLayer,
  idempotencyLayer,
  idempotencySettingsOf,
  MAX_IDEMPOTENCY_KEY_CHARS,
} from '../idempotency-layer.js';
import { UcpFailure, ucpFailure } from './ucp-error.js';
import { ucpCallerOf } from './ucp-request.js';

/**
 * UCP's `Idempotency-Key` (rest.openapi.json: required on create, update, complete and cancel;
 * checkout-rest.md: "Return the cached result for duplicate keys. Return `409 Conflict` if the
 * key is reused with different parameters"): the shared layer (src/http/idempotency-layer.ts)
 * worded as UCP protocol errors. The key is fingerprinted with the operation, the resource (path
 * parameters) and the body.
 */
export function ucpIdempotencyOf(ctx: AppContext): IdempotencyLayer {
  return idempotencyLayer({
    ...idempotencySettingsOf(ctx),
    namespace: 'ucp-idem',
    callerOf: ucpCallerOf,
    refusals: {
      required: () =>
        ucpFailure(400, 'idempotency_key_required', 'The Idempotency-Key header is required'),
      tooLong: (chars) =>
        ucpFailure(
          400,
          'idempotency_key_invalid',
          `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_CHARS} characters (this one has ${chars})`,
        ),
      conflict: () =>
        ucpFailure(
          409,
          'idempotency_conflict',
          'This Idempotency-Key was already used with different parameters',
        ),
      inFlight: (seconds) =>
        new UcpFailure(
          409,
          {
            code: 'idempotency_in_flight',
            content: 'A request with this Idempotency-Key is still being processed',
          },
          { 'retry-after': String(seconds) },
        ),
    },
  });
}
