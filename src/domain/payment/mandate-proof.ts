import { z } from 'zod';
import type { BlockerCode } from '../blockers.js';

/**
 * What the proof of a signed mandate (an AP2 SD-JWT chain) came to, as facts for the authority
 * checks: the adapter that verifies the signatures and constraints says what failed, the domain
 * decides what that means. A mandate without `proof` is one no signature vouches for (an ACP
 * allowance), checked on its constraints alone.
 */
export const MANDATE_PROOF_FAILURES = [
  'malformed',
  'invalid_signature',
  'untrusted_issuer',
  'expired',
  'not_yet_valid',
  'audience_mismatch',
  'nonce_mismatch',
  'sd_hash_mismatch',
  'disclosure_tampered',
  'open_mandate_alone',
  'claims_changed',
  'checkout_hash_mismatch',
  'amount_mismatch',
  'payee_mismatch',
  'unknown_constraint',
  'constraint_violated',
  'wrong_mandate_type',
  'replayed',
] as const;
export type MandateProofFailure = (typeof MANDATE_PROOF_FAILURES)[number];

export const MandateProofSchema = z.object({
  scheme: z.enum(['ap2_sd_jwt']),
  /** Absent: every signature, binding and constraint verified. */
  failure: z.enum(MANDATE_PROOF_FAILURES).optional(),
  /** What exactly failed, in words an agent can act on. */
  detail: z.string().max(1000).optional(),
});
export type MandateProof = z.infer<typeof MandateProofSchema>;

/**
 * The blocker each proof failure is. `expired` has none here: the mapping gives the mandate the
 * `exp` it carries, and the expiry check (MANDATE_EXPIRED) refuses it with its instant.
 * A violated constraint is the mandate's scope not covering the checkout, as for an allowance.
 */
export const MANDATE_PROOF_BLOCKERS = {
  malformed: 'MANDATE_MALFORMED',
  invalid_signature: 'MANDATE_SIGNATURE_INVALID',
  untrusted_issuer: 'MANDATE_ISSUER_UNTRUSTED',
  expired: undefined,
  not_yet_valid: 'MANDATE_NOT_YET_VALID',
  audience_mismatch: 'MANDATE_AUDIENCE_MISMATCH',
  nonce_mismatch: 'MANDATE_NONCE_MISMATCH',
  sd_hash_mismatch: 'MANDATE_BINDING_INVALID',
  disclosure_tampered: 'MANDATE_TAMPERED',
  open_mandate_alone: 'MANDATE_NOT_CLOSED',
  claims_changed: 'MANDATE_CLAIMS_CHANGED',
  checkout_hash_mismatch: 'MANDATE_CHECKOUT_MISMATCH',
  amount_mismatch: 'MANDATE_AMOUNT_MISMATCH',
  payee_mismatch: 'MANDATE_PAYEE_MISMATCH',
  unknown_constraint: 'MANDATE_CONSTRAINT_UNKNOWN',
  constraint_violated: 'MANDATE_SCOPE_MISMATCH',
  wrong_mandate_type: 'MANDATE_TYPE_INVALID',
  replayed: 'MANDATE_REPLAYED',
} as const satisfies Record<MandateProofFailure, BlockerCode | undefined>;
