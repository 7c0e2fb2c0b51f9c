/**
 * Why negotiation failed, by the codes of overview.md "Error Handling" (negotiation errors).
 * `content` is the human-readable reason the answer carries.
 */
export const NEGOTIATION_FAILURE_CODES = [
  'invalid_profile_url',
  'profile_unreachable',
  'profile_malformed',
  'version_unsupported',
  'capabilities_incompatible',
] as const;

export type NegotiationFailureCode = (typeof NEGOTIATION_FAILURE_CODES)[number];

export interface NegotiationFailure<Code extends NegotiationFailureCode = NegotiationFailureCode> {
  code: Code;
  content: string;
}

/** A step of negotiation: its value, or the failure that ends the request. */
export type NegotiationStep<T, Code extends NegotiationFailureCode = NegotiationFailureCode> =
  | { ok: true; value: T }
  | { ok: false; failure: NegotiationFailure<Code> };

export function failed<Code extends NegotiationFailureCode>(
  code: Code,
  content: string,
): { ok: false; failure: NegotiationFailure<Code> } {
  return { ok: false, failure: { code, content } };
}
