import { z } from 'zod';
import type { BlockerCode } from '../blockers.js';
import { InstantSchema } from '../time.js';

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
  'merchant_authorization_invalid',
  'amount_mismatch',
  'payee_mismatch',
  'unknown_constraint',
  'constraint_violated',
  'wrong_mandate_type',
  'replayed',
] as const;
export type MandateProofFailure = (typeof MANDATE_PROOF_FAILURES)[number];

/**
 * What a reusable mandate (an open AP2 payment mandate with a budget or a recurrence) allows
 * across payments, and what this payment takes of it. The payment transition checks the
 * mandate's use so far against it and counts this payment, atomically (checkout-commit Lua).
 */
export const MandateReuseSchema = z.object({
  /** The reusable mandate, however many payments are closed from it. */
  id: z.string().min(1).max(500),
  /** This payment, in minor units. */
  amount: z.number().int().nonnegative(),
  /** The most all payments from it may add up to, minor units. */
  budgetMax: z.number().int().nonnegative().optional(),
  /** How many payments it allows. */
  maxUses: z.number().int().nonnegative().optional(),
  /** The least time between two of its payments. */
  minSpacingMs: z.number().int().positive().optional(),
  /** Until when its use is counted: the reusable mandate's own expiry. */
  countedUntil: InstantSchema,
});
export type MandateReuse = z.infer<typeof MandateReuseSchema>;

export const MandateProofSchema = z.object({
  scheme: z.enum(['ap2_sd_jwt']),
  /** Absent: every signature, binding and constraint verified. */
  failure: z.enum(MANDATE_PROOF_FAILURES).optional(),
  /** What exactly failed, in words an agent can act on. */
  detail: z.string().max(1000).optional(),
  /**
   * The one-time values the mandate spends when it authorizes a payment (the closing binding's
   * nonce and jti, the closing token's hash): each is spent once, atomically with the
   * transition (checkout-commit Lua), and a second payment on any of them is refused as
   * replayed (`spentAgain`).
   */
  oneTime: z.array(z.string().min(1).max(500)).max(16).optional(),
  reuse: MandateReuseSchema.optional(),
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
  merchant_authorization_invalid: 'MANDATE_MERCHANT_AUTHORIZATION_INVALID',
  amount_mismatch: 'MANDATE_AMOUNT_MISMATCH',
  payee_mismatch: 'MANDATE_PAYEE_MISMATCH',
  unknown_constraint: 'MANDATE_CONSTRAINT_UNKNOWN',
  constraint_violated: 'MANDATE_SCOPE_MISMATCH',
  wrong_mandate_type: 'MANDATE_TYPE_INVALID',
  replayed: 'MANDATE_REPLAYED',
} as const satisfies Record<MandateProofFailure, BlockerCode | undefined>;

/** Why a payment's use of its mandate was refused when the transition came to count it. */
export const MANDATE_USE_REFUSALS = {
  spent: {
    failure: 'replayed',
    detail: 'one of its one-time values (nonce, jti) already authorized a payment',
  },
  budget: {
    failure: 'constraint_violated',
    detail: 'payment.budget: this payment and the earlier ones from it exceed its budget',
  },
  uses: {
    failure: 'constraint_violated',
    detail: 'payment.agent_recurrence: it was used as many times as it allows',
  },
  spacing: {
    failure: 'constraint_violated',
    detail: 'payment.agent_recurrence: its frequency allows no payment this soon after the last',
  },
} as const satisfies Record<string, { failure: MandateProofFailure; detail: string }>;
export type MandateUseRefusal = keyof typeof MANDATE_USE_REFUSALS;

/**
 * The same mandate, as it stands once the transition found its use refused (a one-time value
 * spent, its budget or recurrence exhausted): its proof now fails with why, so the authority
 * checks refuse it with that failure's blocker (MANDATE_REPLAYED, MANDATE_SCOPE_MISMATCH).
 */
export function refusedUse<M extends { proof?: MandateProof | undefined }>(
  mandate: M,
  reason: MandateUseRefusal,
): M {
  const { failure, detail } = MANDATE_USE_REFUSALS[reason];
  return { ...mandate, proof: { scheme: mandate.proof?.scheme ?? 'ap2_sd_jwt', failure, detail } };
}
