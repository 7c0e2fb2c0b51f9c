import { z } from 'zod';
import { type DecisionResult, mostSevere } from './actions.js';
import { type Blocker, type BlockerCode, type BlockerParams, blocker } from './blockers.js';
import type { CheckoutState } from './checkout/transitions.js';
import type { EvidenceRef } from './decision.js';
import { formatMinorUnits, type Money, MoneySchema } from './money.js';
import {
  MANDATE_PROOF_BLOCKERS,
  type MandateProofFailure,
  MandateProofSchema,
} from './payment/mandate-proof.js';
import { InstantSchema, toMs } from './time.js';

export const ACTOR_TYPES = ['human', 'agent', 'system'] as const;
export const ActorSchema = z.object({
  actorId: z.string().min(1).max(200),
  actorType: z.enum(ACTOR_TYPES),
  buyerId: z.string().min(1).max(200).optional(),
  buyerType: z.enum(['consumer', 'business']).optional(),
  authorityRef: z.string().min(1).max(500).optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

/**
 * A payment mandate or allowance normalised from its protocol (ACP allowance, AP2 mandate) with
 * its constraints kept, never reduced to "has a mandate". It is an input to authority, not
 * authority itself.
 */
export const MandateSchema = z.object({
  ref: z.string().min(1).max(500),
  kind: z.enum(['acp_allowance', 'ap2_checkout_mandate', 'ap2_payment_mandate', 'internal']),
  merchantId: z.string().min(1).max(200),
  checkoutSessionId: z.string().min(1).max(200).optional(),
  cartSnapshotHash: z.string().min(1).max(200).optional(),
  maxAmount: MoneySchema,
  /** SKUs the mandate covers; absent means any. */
  skus: z.array(z.string().min(1)).max(1000).optional(),
  expiresAt: InstantSchema,
  revokedAt: InstantSchema.nullable().optional(),
  humanConfirmation: z
    .object({ required: z.boolean(), confirmedAt: InstantSchema.optional() })
    .optional(),
  allowedActors: z
    .object({
      actorIds: z.array(z.string().min(1)).max(100).optional(),
      actorTypes: z.array(z.enum(ACTOR_TYPES)).max(3).optional(),
    })
    .optional(),
  /** What the mandate's signatures came to, for a signed mandate (AP2); absent for an allowance. */
  proof: MandateProofSchema.optional(),
});
export type Mandate = z.infer<typeof MandateSchema>;

export interface AuthorityRequest {
  mandate: Mandate | undefined;
  merchantId: string;
  checkout: {
    id: string;
    version: number;
    state: CheckoutState;
    total: Money;
    cartSnapshotHash: string;
    skus: readonly string[];
  };
  actor: Actor;
  nowMs: number;
}

type Present = AuthorityRequest & { mandate: Mandate };

interface AuthorityCheck {
  code: BlockerCode;
  severity: DecisionResult;
  /** Params for the blocker message when the check fails; undefined when it passes. */
  fails(request: Present): BlockerParams | undefined;
}

const pass = undefined;

/**
 * One check per proof failure that has a blocker of its own (mandate-proof.ts): a signed mandate
 * whose proof failed is refused with what failed, whatever else it says. The detail fills the
 * message (and, for a violated constraint, the scope it does not cover).
 */
const PROOF_CHECKS: readonly AuthorityCheck[] = Object.entries(MANDATE_PROOF_BLOCKERS).flatMap(
  ([failure, code]) =>
    code === undefined
      ? []
      : [
          {
            code,
            severity: 'blocked' as const,
            fails: ({ mandate }: Present) => {
              const proof = mandate.proof;
              if (proof?.failure !== (failure as MandateProofFailure)) return pass;
              const detail = proof.detail ?? failure;
              return { detail, outOfScope: detail };
            },
          },
        ],
);

/** The authority checks as data: each row is one named condition over the gathered facts. */
export const AUTHORITY_CHECKS: readonly AuthorityCheck[] = [
  ...PROOF_CHECKS,
  {
    code: 'MANDATE_REVOKED',
    severity: 'blocked',
    fails: ({ mandate, nowMs }) =>
      mandate.revokedAt != null && toMs(mandate.revokedAt) <= nowMs ? {} : pass,
  },
  {
    code: 'MANDATE_EXPIRED',
    severity: 'blocked',
    fails: ({ mandate, nowMs }) =>
      toMs(mandate.expiresAt) <= nowMs ? { expiresAt: mandate.expiresAt } : pass,
  },
  {
    code: 'MERCHANT_MISMATCH',
    severity: 'blocked',
    fails: ({ mandate, merchantId }) =>
      mandate.merchantId !== merchantId ? { mandateMerchant: mandate.merchantId } : pass,
  },
  {
    code: 'CHECKOUT_SESSION_INVALID',
    severity: 'blocked',
    fails: ({ checkout }) =>
      checkout.state !== 'ready_for_payment' ? { state: checkout.state } : pass,
  },
  {
    code: 'CHECKOUT_SESSION_MISMATCH',
    severity: 'blocked',
    fails: ({ mandate, checkout }) =>
      mandate.checkoutSessionId !== undefined && mandate.checkoutSessionId !== checkout.id
        ? { mandateCheckout: mandate.checkoutSessionId, checkoutId: checkout.id }
        : pass,
  },
  {
    code: 'MANDATE_SCOPE_MISMATCH',
    severity: 'blocked',
    fails: ({ mandate, checkout }) => {
      if (mandate.skus === undefined) return pass;
      const covered = new Set(mandate.skus);
      const outside = checkout.skus.filter((sku) => !covered.has(sku));
      return outside.length > 0 ? { outOfScope: outside.join(', ') } : pass;
    },
  },
  {
    code: 'CART_SNAPSHOT_MISMATCH',
    severity: 'blocked',
    fails: ({ mandate, checkout }) =>
      mandate.cartSnapshotHash !== undefined &&
      mandate.cartSnapshotHash !== checkout.cartSnapshotHash
        ? {}
        : pass,
  },
  {
    code: 'CURRENCY_MISMATCH',
    severity: 'blocked',
    fails: ({ mandate, checkout }) =>
      mandate.maxAmount.currency !== checkout.total.currency
        ? { mandateCurrency: mandate.maxAmount.currency, checkoutCurrency: checkout.total.currency }
        : pass,
  },
  {
    code: 'AMOUNT_EXCEEDS_LIMIT',
    severity: 'blocked',
    fails: ({ mandate, checkout }) =>
      mandate.maxAmount.currency === checkout.total.currency &&
      checkout.total.amount > mandate.maxAmount.amount
        ? {
            total: `${formatMinorUnits(checkout.total)} ${checkout.total.currency}`,
            limit: `${formatMinorUnits(mandate.maxAmount)} ${mandate.maxAmount.currency}`,
          }
        : pass,
  },
  {
    code: 'ACTOR_NOT_ALLOWED',
    severity: 'blocked',
    fails: ({ mandate, actor }) => {
      const allowed = mandate.allowedActors;
      if (allowed === undefined) return pass;
      const idOk = allowed.actorIds === undefined || allowed.actorIds.includes(actor.actorId);
      const typeOk =
        allowed.actorTypes === undefined || allowed.actorTypes.includes(actor.actorType);
      return idOk && typeOk ? pass : { actorId: actor.actorId };
    },
  },
  {
    code: 'HUMAN_CONFIRMATION_REQUIRED',
    severity: 'requires_review',
    fails: ({ mandate, nowMs }) => {
      const confirmation = mandate.humanConfirmation;
      if (confirmation === undefined || !confirmation.required) return pass;
      const confirmed =
        confirmation.confirmedAt !== undefined && toMs(confirmation.confirmedAt) <= nowMs;
      return confirmed ? pass : {};
    },
  },
];

export interface AuthorityOutcome {
  result: DecisionResult;
  blockers: Blocker[];
  evidenceRefs: EvidenceRef[];
  /** The mandate's expiry or a later-dated revocation, whichever comes first after now. */
  validUntilMs: number | null;
}

/** Runs every authority check; all failures are reported, not just the first. */
export function evaluateAuthority(request: AuthorityRequest): AuthorityOutcome {
  const checkoutRef: EvidenceRef = {
    type: 'checkout_state',
    id: `${request.checkout.id}@v${request.checkout.version}`,
  };
  const { mandate } = request;
  if (mandate === undefined) {
    return {
      result: 'blocked',
      blockers: [blocker('AUTHORITY_MISSING')],
      evidenceRefs: [checkoutRef],
      validUntilMs: null,
    };
  }
  const present: Present = { ...request, mandate };
  const failed = AUTHORITY_CHECKS.flatMap((check) => {
    const params = check.fails(present);
    return params === undefined ? [] : [{ check, params }];
  });
  // A revocation dated later takes effect then (MANDATE_REVOKED compares with now), so it ends
  // what the mandate may be relied on for just as expiry does.
  const expiresAtMs = toMs(mandate.expiresAt);
  const revokedAtMs =
    mandate.revokedAt == null ? Number.POSITIVE_INFINITY : toMs(mandate.revokedAt);
  const validUntilMs =
    expiresAtMs > request.nowMs && revokedAtMs > request.nowMs
      ? Math.min(expiresAtMs, revokedAtMs)
      : null;
  return {
    result: mostSevere(failed.map(({ check }) => check.severity)),
    blockers: failed.map(({ check, params }) => blocker(check.code, params)),
    evidenceRefs: [{ type: 'authority_record', id: mandate.ref }, checkoutRef],
    validUntilMs,
  };
}
