import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import {
  type Actor,
  applyPaymentEvent,
  blocker,
  type CheckoutEvent,
  type CurrencyCode,
  cartTotal,
  type EvaluationContext,
  type EvaluationOptions,
  formatMinorUnits,
  type Mandate,
  type Money,
  sameAmount,
  toInstant,
} from '../../domain/index.js';
import { CatalogStore } from '../../store/catalog-store.js';
import { CheckoutStore } from '../../store/checkout-store.js';
import { IdempotencyStore } from '../../store/idempotency-store.js';
import { OutboxStore } from '../../store/outbox-store.js';
import type { CheckoutRecord, PaymentRecord, TransitionResult } from './checkout-record.js';
import { currentPayment } from './checkout-record.js';
import type {
  AddItemSchema,
  Allowance,
  CompleteSchema,
  PaymentActionSchema,
} from './checkout-requests.js';
import { buildEffects } from './effect-requests.js';
import { cartSnapshotHash, decideLines, loadLineFacts, repriceLines } from './line-decisions.js';
import { type Decided, type Operation, refusal, transact } from './transaction.js';

/**
 * The checkout service: carts and checkout sessions of a tenant, persisted in Redis with a
 * version. Every change is a transition of the domain's state machine, decided by the domain on
 * current facts and committed with its outbox effects in one atomic step. Nothing here calls a
 * provider: effects leave through the outbox (jobs/drain-outbox.job.ts).
 */

export interface RequestMeta {
  idempotencyKey?: string;
  correlationId?: string;
}

export interface CheckoutServiceDeps {
  redis: Redis;
  prefix: string;
  nowMs: () => number;
  evaluationOptions: EvaluationOptions;
  idempotencyTtlSeconds: number;
  /** How long a running request holds its Idempotency-Key at most. */
  idempotencyClaimTtlMs: number;
  reservationTtlSeconds: number;
  /** This merchant's id as mandates must name it; per tenant. */
  merchantIdOf: (tenant: string) => string;
  /** Wakes the drain after effects were written (best effort; the scheduler drains anyway). */
  nudge?: (tenant: string) => Promise<void>;
}

const applied = (
  next: CheckoutRecord,
  decision: Decided['decision'],
  effects: Extract<Decided, { kind: 'apply' }>['effects'] = [],
  paymentId?: string,
): Decided => ({ kind: 'apply', next, decision, effects, paymentId });

/**
 * An operation as the transaction runs it: the request as sent (the expected version included,
 * it is part of the body) is what the Idempotency-Key fingerprint covers, with the operation,
 * tenant and checkout id; meta is not.
 */
function operationOf(
  name: string,
  event: CheckoutEvent | undefined,
  checkoutId: string,
  input: { expectedVersion?: number | undefined },
  meta: RequestMeta,
): Operation {
  const operation: Operation = {
    name,
    checkoutId,
    input,
    expectedVersion: input.expectedVersion,
    idempotencyKey: meta.idempotencyKey,
  };
  if (event !== undefined) operation.event = event;
  return operation;
}

export class CheckoutService {
  private readonly registered = new Set<string>();

  constructor(private readonly deps: CheckoutServiceDeps) {}

  private checkouts(tenant: string) {
    return new CheckoutStore(this.deps.redis, this.deps.prefix, tenant);
  }

  private catalog(tenant: string) {
    return new CatalogStore(this.deps.redis, this.deps.prefix, tenant);
  }

  async get(tenant: string, id: string): Promise<CheckoutRecord | undefined> {
    const stored = await this.checkouts(tenant).load(id);
    return stored === undefined ? undefined : (JSON.parse(stored.doc) as CheckoutRecord);
  }

  private async run(
    tenant: string,
    operation: Operation,
    decide: Parameters<typeof transact>[2],
  ): Promise<TransitionResult> {
    const store = this.checkouts(tenant);
    if (!this.registered.has(tenant)) {
      await new OutboxStore(this.deps.redis, this.deps.prefix, tenant).registerTenant();
      this.registered.add(tenant);
    }
    const result = await transact(
      {
        store,
        idempotency: new IdempotencyStore(this.deps.redis, this.deps.prefix, tenant),
        nowMs: this.deps.nowMs,
        idempotencyTtlSeconds: this.deps.idempotencyTtlSeconds,
        idempotencyClaimTtlMs: this.deps.idempotencyClaimTtlMs,
      },
      operation,
      decide,
    );
    if (result.outcome === 'applied' && !result.replayed) await this.deps.nudge?.(tenant);
    return result;
  }

  createCheckout(
    tenant: string,
    input: { context: EvaluationContext },
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    const id = `co_${randomUUID().replace(/-/g, '')}`;
    return this.run(
      tenant,
      // `creates`: the new id is ours, not the caller's, and stays out of the fingerprint.
      { name: 'create', checkoutId: id, input, creates: true, idempotencyKey: meta.idempotencyKey },
      async (_current, nowMs) =>
        applied(
          {
            id,
            tenant,
            state: 'cart_open',
            version: 1,
            context: input.context,
            lines: [],
            preparedTotal: null,
            cartSnapshotHash: null,
            attempt: 0,
            payments: [],
            orderId: null,
            correlationId: meta.correlationId ?? randomUUID(),
            lastFailure: null,
            createdAt: toInstant(nowMs),
            updatedAt: toInstant(nowMs),
          },
          allowedDecision('create', nowMs),
        ),
    );
  }

  addItem(
    tenant: string,
    checkoutId: string,
    input: z.infer<typeof AddItemSchema>,
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    return this.run(
      tenant,
      operationOf('add_item', 'add_item', checkoutId, input, meta),
      async (current, nowMs) => {
        const checkout = current as CheckoutRecord;
        const facts = await loadLineFacts(this.catalog(tenant), [input.productId]);
        const decision = decideLines(
          'add_to_cart',
          [input.productId],
          facts,
          checkout.context,
          nowMs,
          this.deps.evaluationOptions,
        );
        const product = facts.products.get(input.productId);
        if (decision.result !== 'allowed' || product?.price === undefined) {
          return { kind: 'refuse', decision };
        }
        const existing = checkout.lines.find((line) => line.productId === input.productId);
        const line = {
          productId: product.id,
          sku: product.sku ?? product.id,
          title: product.title,
          quantity: (existing?.quantity ?? 0) + input.quantity,
          unitPrice: { amount: product.price.amount, currency: product.price.currency },
        };
        const lines = existing
          ? checkout.lines.map((l) => (l.productId === line.productId ? line : l))
          : [...checkout.lines, line];
        const total = cartTotal(lines);
        if (!total.ok && total.code === 'CART_CURRENCY_MIXED') {
          const { productId, currency, cartCurrency } = total;
          return {
            kind: 'refuse',
            decision: refusal(
              'add_to_cart',
              [blocker('CART_CURRENCY_MIXED', { productId, currency, cartCurrency })],
              nowMs,
            ),
          };
        }
        return applied(reopened(checkout, lines), decision);
      },
    );
  }

  removeItem(
    tenant: string,
    checkoutId: string,
    input: { productId: string; expectedVersion?: number },
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    return this.run(
      tenant,
      operationOf('remove_item', 'remove_item', checkoutId, input, meta),
      async (current, nowMs) => {
        const checkout = current as CheckoutRecord;
        const lines = checkout.lines.filter((line) => line.productId !== input.productId);
        return applied(reopened(checkout, lines), allowedDecision('remove_item', nowMs));
      },
    );
  }

  prepare(
    tenant: string,
    checkoutId: string,
    input: { expectedVersion?: number },
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    return this.run(
      tenant,
      operationOf(
        'prepare',
        'prepare',
        checkoutId,
        { expectedVersion: input.expectedVersion },
        meta,
      ),
      async (current, nowMs) => {
        const checkout = current as CheckoutRecord;
        if (checkout.lines.length === 0) {
          return {
            kind: 'refuse',
            decision: refusal('prepare_checkout', [blocker('CART_EMPTY')], nowMs),
          };
        }
        const ids = checkout.lines.map((line) => line.productId);
        const facts = await loadLineFacts(this.catalog(tenant), ids);
        const decision = decideLines(
          'prepare_checkout',
          ids,
          facts,
          checkout.context,
          nowMs,
          this.deps.evaluationOptions,
        );
        if (decision.result !== 'allowed') return { kind: 'refuse', decision };
        const lines = repriceLines(checkout.lines, facts);
        const total = cartTotal(lines);
        if (!total.ok) return { kind: 'refuse', decision: totalRefusal(total, nowMs) };
        return applied(
          {
            ...checkout,
            state: 'ready_for_payment',
            lines,
            preparedTotal: total.total,
            cartSnapshotHash: cartSnapshotHash(lines, total.total),
          },
          decision,
        );
      },
    );
  }

  /** delegate_payment: checks authority against the allowance, then starts the effect chain. */
  complete(
    tenant: string,
    checkoutId: string,
    input: z.infer<typeof CompleteSchema>,
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    return this.run(
      tenant,
      operationOf('complete', 'start_payment', checkoutId, input, meta),
      async (current, nowMs) => {
        const checkout = current as CheckoutRecord;
        const ids = checkout.lines.map((line) => line.productId);
        const facts = await loadLineFacts(this.catalog(tenant), ids);
        const lines = repriceLines(checkout.lines, facts);
        const total = cartTotal(lines);
        if (!total.ok) return { kind: 'refuse', decision: totalRefusal(total, nowMs) };
        const mandate = mandateOf(input.allowance, input.allowanceRef);
        const decision = decideLines(
          'delegate_payment',
          ids,
          facts,
          checkout.context,
          nowMs,
          this.deps.evaluationOptions,
          {
            mandate,
            merchantId: this.deps.merchantIdOf(tenant),
            checkout: {
              id: checkout.id,
              version: checkout.version,
              state: checkout.state,
              total: total.total,
              cartSnapshotHash: cartSnapshotHash(lines, total.total),
              skus: lines.map((line) => line.sku),
            },
            actor: input.actor as Actor,
            nowMs,
          },
        );
        const prepared = checkout.preparedTotal;
        if (prepared === null || !sameAmount(prepared, total.total)) {
          decision.blockers.push(
            blocker('AMOUNT_MISMATCH', {
              current: describe(total.total),
              prepared: prepared === null ? 'not prepared' : describe(prepared),
            }),
          );
          decision.result = 'blocked';
        }
        if (decision.result !== 'allowed') return { kind: 'refuse', decision };
        const attempt = checkout.attempt + 1;
        const payment: PaymentRecord = {
          paymentId: `${checkout.id}.p${attempt}`,
          attempt,
          state: 'pending',
          amount: total.total,
          capturedAmount: 0,
          refundedAmount: 0,
          refunds: 0,
          allowanceRef: mandate.ref,
          reservationId: `${checkout.id}.r${attempt}`,
        };
        const next: CheckoutRecord = {
          ...checkout,
          state: 'completing',
          lines,
          attempt,
          payments: [...checkout.payments, payment],
          lastFailure: null,
        };
        const effects = buildEffects(['reserve'], {
          checkout: next,
          payment,
          correlationId: meta.correlationId ?? checkout.correlationId,
          nowMs,
          reservationTtlSeconds: this.deps.reservationTtlSeconds,
          subscribers: [],
        });
        return applied(next, decision, effects, payment.paymentId);
      },
    );
  }

  /** Cancels; effects still in flight undo themselves when they land (the chain's `closed` rows). */
  cancel(
    tenant: string,
    checkoutId: string,
    input: { expectedVersion?: number },
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    return this.run(
      tenant,
      operationOf('cancel', 'cancel', checkoutId, { expectedVersion: input.expectedVersion }, meta),
      async (current, nowMs) =>
        applied(
          { ...(current as CheckoutRecord), state: 'canceled' },
          allowedDecision('cancel', nowMs),
        ),
    );
  }

  /** capture, void or refund of the checkout's current payment, refused by the payment table. */
  paymentAction(
    tenant: string,
    checkoutId: string,
    input: z.infer<typeof PaymentActionSchema>,
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    return this.run(
      tenant,
      operationOf(`payment_${input.action}`, undefined, checkoutId, input, meta),
      async (current, nowMs) => {
        const checkout = current as CheckoutRecord;
        const payment = currentPayment(checkout);
        const action = `payment_${input.action}`;
        if (payment === undefined) {
          return {
            kind: 'refuse',
            decision: refusal(
              action,
              [
                blocker('PAYMENT_TRANSITION_REFUSED', {
                  from: 'none',
                  event: input.action,
                  allowed: 'none',
                }),
              ],
              nowMs,
            ),
          };
        }
        const outcome = applyPaymentEvent(payment, input.action, input.amount);
        if (!outcome.ok) {
          const refused =
            outcome.code === 'REFUND_EXCEEDS_CAPTURED'
              ? blocker('REFUND_EXCEEDS_CAPTURED', {
                  requested: describe({
                    amount: outcome.requested,
                    currency: payment.amount.currency,
                  }),
                  refundable: describe({
                    amount: outcome.refundable,
                    currency: payment.amount.currency,
                  }),
                })
              : blocker('PAYMENT_TRANSITION_REFUSED', {
                  from: outcome.from,
                  event: outcome.event,
                  allowed: outcome.allowed.join(', ') || 'none',
                });
          return { kind: 'refuse', decision: refusal(action, [refused], nowMs) };
        }
        const refundAmount = outcome.payment.refundedAmount - payment.refundedAmount;
        const updated: PaymentRecord = {
          ...payment,
          ...outcome.payment,
          refunds: payment.refunds + (input.action === 'refund' ? 1 : 0),
        };
        const next: CheckoutRecord = {
          ...checkout,
          payments: checkout.payments.map((p) => (p.paymentId === payment.paymentId ? updated : p)),
        };
        const kinds = input.action === 'void' ? (['void', 'release'] as const) : [input.action];
        const effects = buildEffects(kinds, {
          checkout: next,
          // The refund effect is numbered by the refunds accepted before this one.
          payment: { ...updated, refunds: payment.refunds },
          correlationId: meta.correlationId ?? checkout.correlationId,
          nowMs,
          reservationTtlSeconds: this.deps.reservationTtlSeconds,
          subscribers: [],
          refundAmount: input.action === 'refund' ? refundAmount : undefined,
        });
        return applied(next, allowedDecision(action, nowMs), effects);
      },
    );
  }
}

function allowedDecision(action: string, nowMs: number) {
  return {
    action,
    result: 'allowed' as const,
    blockers: [],
    evidenceRefs: [],
    evaluatedAt: toInstant(nowMs),
  };
}

/** A changed cart is open again: whatever was prepared no longer holds. */
function reopened(checkout: CheckoutRecord, lines: CheckoutRecord['lines']): CheckoutRecord {
  return { ...checkout, state: 'cart_open', lines, preparedTotal: null, cartSnapshotHash: null };
}

function describe(money: Money): string {
  return `${formatMinorUnits(money)} ${money.currency}`;
}

function totalRefusal(total: Exclude<ReturnType<typeof cartTotal>, { ok: true }>, nowMs: number) {
  if (total.code === 'CART_EMPTY')
    return refusal('prepare_checkout', [blocker('CART_EMPTY')], nowMs);
  const { productId, currency, cartCurrency } = total;
  return refusal(
    'prepare_checkout',
    [blocker('CART_CURRENCY_MIXED', { productId, currency, cartCurrency })],
    nowMs,
  );
}

/** The ACP allowance normalised to the domain's mandate, its constraints kept. */
export function mandateOf(allowance: Allowance, allowanceRef: string | undefined): Mandate {
  return {
    ref: allowanceRef ?? `acp_allowance:${allowance.checkout_session_id}`,
    kind: 'acp_allowance',
    merchantId: allowance.merchant_id,
    checkoutSessionId: allowance.checkout_session_id,
    maxAmount: {
      amount: allowance.max_amount,
      currency: allowance.currency.toUpperCase() as CurrencyCode,
    },
    expiresAt: allowance.expires_at,
  };
}
