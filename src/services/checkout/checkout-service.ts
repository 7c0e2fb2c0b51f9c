import type { z } from 'zod';
import {
  type CheckoutEvent,
  type CheckoutFacts,
  type CheckoutIds,
  type CheckoutStep,
  decideAddItem,
  decideCancel,
  decideOpen,
  decidePaymentAction,
  decidePrepare,
  decideRemoveItem,
  decideStartPayment,
  type EvaluationContext,
  type EvaluationOptions,
  refusedUse,
  type StartPaymentInput,
  wasApplied,
} from '../../domain/index.js';
import { CatalogStore } from '../../store/catalog-store.js';
import { CheckoutStore } from '../../store/checkout-store.js';
import { IdempotencyStore } from '../../store/idempotency-store.js';
import { OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';
import { CHECKOUT_IDS } from './checkout-ids.js';
import type { CheckoutRecord, TransitionResult } from './checkout-record.js';
import type { AddItemSchema, PaymentActionSchema } from './checkout-requests.js';
import { buildEffects } from './effect-requests.js';
import { loadLineFacts } from './line-facts.js';
import { type Decided, type Operation, transact } from './transaction.js';

/** Past a mandate's expiry its one-time values are kept this long still (clock skew allowed). */
const SPENT_REMEMBERED_PAST_EXPIRY_MS = 10 * 60_000;

/**
 * The checkout service: carts and checkout sessions of a tenant, persisted in Redis with a
 * version. Every change is a transition the domain decides (domain/checkout/) on facts loaded
 * here just before, committed with its outbox effects in one atomic step; nothing here decides.
 * Nothing here calls a provider either: effects leave through the outbox
 * (jobs/drain-outbox.job.ts). `startPayment` only starts the payment chain; the checkout
 * completes when the chain's capture succeeds, in effect-settlement.ts.
 */

export interface RequestMeta {
  idempotencyKey?: string;
  correlationId?: string;
  /**
   * Whether a refused answer is kept for the key as an applied one is (the ACP rule). False for
   * keys the caller did not choose but that were derived from the request itself (MCP calls
   * without an idempotencyKey): a refusal changed nothing, so the same call sent later decides
   * again on the facts then, while an applied call is still answered once.
   * @defaultValue true
   */
  keepRefusals?: boolean;
}

export interface CheckoutServiceDeps {
  redis: RedisClient;
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
  /** @defaultValue CHECKOUT_IDS */
  ids?: CheckoutIds;
}

/**
 * What starting a payment takes: the domain's authority input, mapped from its protocol by the
 * caller (an ACP allowance: adapters/acp/), the actor, and the expected version.
 */
export interface StartPaymentRequest extends StartPaymentInput {
  expectedVersion?: number;
  /**
   * The request as the client sent it, before its protocol objects were mapped: what the
   * Idempotency-Key fingerprint covers (a key reused with another wire body is a conflict even
   * where both map alike). Defaults to the request itself.
   */
  asSent?: unknown;
}

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
  asSent: unknown = input,
): Operation {
  const operation: Operation = {
    name,
    checkoutId,
    input: asSent,
    expectedVersion: input.expectedVersion,
    idempotencyKey: meta.idempotencyKey,
    keepRefusals: meta.keepRefusals,
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

  /** The merchant id a tenant's payment mandates must name, for callers to tell their agents. */
  merchantIdOf(tenant: string): string {
    return this.deps.merchantIdOf(tenant);
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
    if (wasApplied(result) && !result.replayed) await this.deps.nudge?.(tenant);
    return result;
  }

  /** The domain's step with its planned effects built into outbox entries. */
  private commitable(
    step: CheckoutStep,
    nowMs: number,
    correlationId: string | undefined,
  ): Decided {
    if (step.kind === 'refuse') return step;
    const { next, decision, effects, paymentId } = step;
    return {
      kind: 'apply',
      next,
      decision,
      paymentId,
      effects:
        effects === undefined
          ? []
          : buildEffects(effects.kinds, {
              checkout: next,
              payment: effects.payment,
              correlationId: correlationId ?? next.correlationId,
              nowMs,
              reservationTtlSeconds: this.deps.reservationTtlSeconds,
              subscribers: [],
              refundAmount: effects.refundAmount,
            }),
    };
  }

  private async facts(tenant: string, checkout: CheckoutRecord): Promise<CheckoutFacts> {
    const ids = checkout.lines.map((line) => line.productId);
    return this.factsOf(tenant, ids);
  }

  private async factsOf(tenant: string, productIds: readonly string[]): Promise<CheckoutFacts> {
    const lines = await loadLineFacts(this.catalog(tenant), productIds);
    return {
      ...lines,
      options: this.deps.evaluationOptions,
      merchantId: this.deps.merchantIdOf(tenant),
    };
  }

  private get ids(): CheckoutIds {
    return this.deps.ids ?? CHECKOUT_IDS;
  }

  createCheckout(
    tenant: string,
    input: { context: EvaluationContext },
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    // The new id is ours, not the caller's: drawn once, before the transaction, it names the
    // operation and stays out of the fingerprint (`creates`).
    const id = this.ids.checkoutId();
    const ids = { ...this.ids, checkoutId: () => id };
    return this.run(
      tenant,
      {
        name: 'create',
        checkoutId: id,
        input,
        creates: true,
        idempotencyKey: meta.idempotencyKey,
        keepRefusals: meta.keepRefusals,
      },
      async (_current, nowMs) =>
        this.commitable(
          decideOpen(
            { tenant, context: input.context, correlationId: meta.correlationId },
            ids,
            nowMs,
          ),
          nowMs,
          meta.correlationId,
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
        const facts = await this.factsOf(tenant, [input.productId]);
        return this.commitable(
          decideAddItem(current as CheckoutRecord, input, facts, nowMs),
          nowMs,
          meta.correlationId,
        );
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
      async (current, nowMs) =>
        this.commitable(
          decideRemoveItem(current as CheckoutRecord, input, nowMs),
          nowMs,
          meta.correlationId,
        ),
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
        const facts = await this.facts(tenant, checkout);
        return this.commitable(decidePrepare(checkout, facts, nowMs), nowMs, meta.correlationId);
      },
    );
  }

  /**
   * delegate_payment: the domain checks the cart and the authority, then the payment's effect
   * chain starts (`reserve` first). The checkout completes only when the chain's capture
   * succeeds (effect-settlement.ts); the HTTP route keeps ACP's name, `complete`.
   */
  startPayment(
    tenant: string,
    checkoutId: string,
    request: StartPaymentRequest,
    meta: RequestMeta = {},
  ): Promise<TransitionResult> {
    const { asSent, ...input } = request;
    return this.run(
      tenant,
      operationOf('complete', 'start_payment', checkoutId, input, meta, asSent ?? input),
      async (current, nowMs) => {
        const checkout = current as CheckoutRecord;
        const facts = await this.facts(tenant, checkout);
        const decided = this.commitable(
          decideStartPayment(checkout, input, facts, this.ids, nowMs),
          nowMs,
          meta.correlationId,
        );
        const { oneTime = [], reuse } = input.mandate.proof ?? {};
        if (decided.kind === 'refuse' || (oneTime.length === 0 && reuse === undefined))
          return decided;
        // A signed mandate spends its one-time values, and counts against its budget and
        // recurrence, with the transition it authorizes; should its use be refused, the answer
        // is the domain's decision on the mandate as it then stands.
        return {
          ...decided,
          spends: {
            values: oneTime,
            untilMs: Date.parse(input.mandate.expiresAt) + SPENT_REMEMBERED_PAST_EXPIRY_MS,
            ...(reuse === undefined ? {} : { reuse }),
            refusalFor: (reason) =>
              decideStartPayment(
                checkout,
                { ...input, mandate: refusedUse(input.mandate, reason) },
                facts,
                this.ids,
                nowMs,
              ).decision,
          },
        };
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
        this.commitable(decideCancel(current as CheckoutRecord, nowMs), nowMs, meta.correlationId),
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
      async (current, nowMs) =>
        this.commitable(
          decidePaymentAction(current as CheckoutRecord, input, nowMs),
          nowMs,
          meta.correlationId,
        ),
    );
  }
}
