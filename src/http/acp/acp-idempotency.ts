import type { AppContext } from '../../app-context.js';
import {
  type IdempotencyLayer,
  type IdempotencyLayerOptions,
  idempotencyLayer,
  idempotencySettingsOf,
  MAX_IDEMPOTENCY_KEY_CHARS,
} from '../idempotency-layer.js';
import { AcpFailure, invalidRequest } from './acp-error.js';
import { acpCallerOf } from './acp-guard.js';

export { isKept } from '../idempotency-layer.js';

/**
 * ACP's Idempotency-Key on a POST route (2026-04-17, `components/parameters/IdempotencyKey`:
 * "MUST be present on all POST requests. Opaque string, max 255 characters. […] Scoped to
 * authenticated identity + endpoint"), the shared layer (src/http/idempotency-layer.ts) worded
 * in ACP's `Error`:
 *
 * | the request…                               | answer                                        |
 * |--------------------------------------------|-----------------------------------------------|
 * | has no key (or an empty one)               | 400 `idempotency_key_required`                |
 * | has a key over 255 characters              | 400 `idempotency_key_required`, says why      |
 * | is the same as one still running           | 409 `idempotency_in_flight` + `Retry-After`   |
 * | differs from the key's (answered/running)  | 422 `idempotency_conflict`                    |
 *
 * ACP 2026-04-17 lists 4XX answers among every POST's responses and refuses a key "already been
 * used with a different request body" — used, not "answered 2xx" — so a client error that is the
 * request's outcome (404, 405, 422 invalid card) is kept and replayed like a success.
 */

/** The spec's examples (`IdempotencyKeyRequired`, `IdempotencyInFlight`, `IdempotencyConflict`). */
const MESSAGES = {
  required: 'Idempotency-Key header is required',
  inFlight: 'A request with this Idempotency-Key is currently being processed',
  conflict: 'Idempotency-Key has already been used with a different request body',
} as const;

const ACP_REFUSALS: IdempotencyLayerOptions['refusals'] = {
  required: () => invalidRequest(400, 'idempotency_key_required', MESSAGES.required),
  // The delegate_payment Error lists its codes; this is the one that says "send a usable key".
  tooLong: (chars) =>
    invalidRequest(
      400,
      'idempotency_key_required',
      `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_CHARS} characters (this one has ${chars})`,
    ),
  conflict: () => invalidRequest(422, 'idempotency_conflict', MESSAGES.conflict),
  inFlight: (seconds) =>
    new AcpFailure(
      409,
      { type: 'invalid_request', code: 'idempotency_in_flight', message: MESSAGES.inFlight },
      { 'retry-after': String(seconds) },
    ),
};

export type AcpIdempotencyOptions = Omit<
  IdempotencyLayerOptions,
  'namespace' | 'callerOf' | 'refusals'
>;

/** The Idempotency-Key layer of ACP POST routes; hooks run after the ACP scope's guard. */
export function acpIdempotency(options: AcpIdempotencyOptions): IdempotencyLayer {
  return idempotencyLayer({
    ...options,
    namespace: 'acp-idem',
    callerOf: acpCallerOf,
    refusals: ACP_REFUSALS,
  });
}

export type AcpIdempotency = IdempotencyLayer;

/** The layer on the process's settings: the checkout's Idempotency-Key TTLs, the request path's Redis. */
export function acpIdempotencyOf(ctx: AppContext): AcpIdempotency {
  return acpIdempotency(idempotencySettingsOf(ctx));
}
