import { type PaymentState, toInstant } from '../../domain/index.js';
import { type ProviderClient, ProviderTransportError } from '../../providers/provider-client.js';
import { CheckoutStore } from '../../store/checkout-store.js';
import type { RedisClient } from '../../store/redis.js';
import type { CheckoutRecord, PaymentRecord } from './checkout-record.js';

/**
 * Compares each payment as we know it with the provider's (`GET {PAYMENT_URL}/payments/{id}`) and
 * reports drift. One-sided unknowns are drift too: a payment we hold money on that the provider
 * does not know, and a payment whose outcome we are still waiting for that the provider has
 * already settled.
 */

export const DRIFT_KINDS = [
  /** We think money is held or moved; the provider has no such payment. */
  'missing_at_provider',
  /** We are waiting on an outcome (or think none happened); the provider has a settled state. */
  'unknown_locally',
  'status_mismatch',
  'amount_mismatch',
  'provider_unreachable',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface Drift {
  kind: DriftKind;
  paymentId: string;
  checkoutId: string;
  local: { state: PaymentState; captured: number; refunded: number };
  provider: { status: string; captured: number; refunded: number } | null;
}

export interface ReconciliationReport {
  tenant: string;
  checkedAt: string;
  checked: number;
  /** Payments with an outcome still on its way and nothing at the provider to contradict it. */
  inFlight: number;
  drift: Drift[];
}

/** The provider status each settled local state must match; null: the provider must not know it. */
const EXPECTED_STATUS: Record<PaymentState, string | null | 'in_flight'> = {
  pending: 'in_flight',
  capturing: 'in_flight',
  voiding: 'in_flight',
  authorized: 'authorized',
  captured: 'captured',
  refunded: 'refunded',
  voided: 'voided',
  failed: null,
};

interface ProviderPayment {
  status: string;
  capturedAmount: number;
  refundedAmount: number;
}

export interface ReconciliationDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  client: ProviderClient;
}

export function compare(
  local: PaymentRecord,
  remote: ProviderPayment | null,
): DriftKind | 'ok' | 'in_flight' {
  const expected = EXPECTED_STATUS[local.state];
  if (expected === 'in_flight') return remote === null ? 'in_flight' : 'unknown_locally';
  if (expected === null) return remote === null ? 'ok' : 'unknown_locally';
  if (remote === null) return 'missing_at_provider';
  // A partial refund leaves the provider's payment captured, as ours.
  if (remote.status !== expected) return 'status_mismatch';
  if (
    remote.capturedAmount !== local.capturedAmount ||
    remote.refundedAmount !== local.refundedAmount
  ) {
    return 'amount_mismatch';
  }
  return 'ok';
}

export async function reconcilePayments(
  deps: ReconciliationDeps,
  tenant: string,
): Promise<ReconciliationReport> {
  const checkouts = new CheckoutStore(deps.redis, deps.prefix, tenant);
  const report: ReconciliationReport = {
    tenant,
    checkedAt: toInstant(deps.nowMs()),
    checked: 0,
    inFlight: 0,
    drift: [],
  };
  for await (const pairs of checkouts.scanPayments()) {
    for (const [paymentId, checkoutId] of pairs) {
      const stored = await checkouts.load(checkoutId);
      if (stored === undefined) continue;
      const local = (JSON.parse(stored.doc) as CheckoutRecord).payments.find(
        (p) => p.paymentId === paymentId,
      );
      if (local === undefined) continue;
      report.checked += 1;
      const localView = {
        state: local.state,
        captured: local.capturedAmount,
        refunded: local.refundedAmount,
      };
      let remote: ProviderPayment | null;
      try {
        const answer = await deps.client.send({
          provider: 'payment',
          method: 'GET',
          path: `/payments/${encodeURIComponent(paymentId)}`,
        });
        if (answer.status === 404) remote = null;
        else if (answer.status === 200) remote = answer.body as ProviderPayment;
        else throw new ProviderTransportError('payment', new Error(`HTTP ${answer.status}`));
      } catch (error) {
        if (!(error instanceof ProviderTransportError)) throw error;
        report.drift.push({
          kind: 'provider_unreachable',
          paymentId,
          checkoutId,
          local: localView,
          provider: null,
        });
        continue;
      }
      const verdict = compare(local, remote);
      if (verdict === 'ok') continue;
      if (verdict === 'in_flight') {
        report.inFlight += 1;
        continue;
      }
      report.drift.push({
        kind: verdict,
        paymentId,
        checkoutId,
        local: localView,
        provider:
          remote === null
            ? null
            : {
                status: remote.status,
                captured: remote.capturedAmount,
                refunded: remote.refundedAmount,
              },
      });
    }
  }
  await checkouts.putReconciliationReport(JSON.stringify(report));
  return report;
}
