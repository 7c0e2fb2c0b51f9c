import type { JWK } from 'jose';
import type { Caller } from '../../adapters/a2a/to-intent.js';
import { AllowanceSchema } from '../../adapters/acp/allowance.js';
import { startPaymentRequestOf } from '../../adapters/acp/complete-request.js';
import { PAYMENT_PATH, type UcpMessageError } from '../../adapters/ucp/checkout-messages.js';
import { ucpCheckoutTerms } from '../../adapters/ucp/checkout-projection.js';
import {
  type CompleteCheckoutRequest,
  type CreateCheckoutRequest,
  checkoutContextOf,
  lineQuantitiesOf,
  type UpdateCheckoutRequest,
} from '../../adapters/ucp/checkout-request.js';
import { delegatedTokenOf } from '../../adapters/ucp/payment-handler.js';
import type { EvaluationContext, TransitionDecision } from '../../domain/index.js';
import type {
  CheckoutSessionSteps,
  SessionSteps,
} from '../../services/checkout/checkout-session-steps.js';
import type { DelegatedToken } from '../acp/checkout-sessions.js';
import type { UcpAp2 } from './ucp-ap2.js';

/**
 * The UCP checkout operations over the protocol-neutral session steps
 * (services/checkout/checkout-session-steps.ts): UCP bodies mapped in; what only UCP says about
 * a request (an instrument we cannot charge) collected beside the domain's blockers.
 */
export interface UcpCheckoutSessionDeps {
  steps: CheckoutSessionSteps;
  /** The caller's tenant's delegated payment token, or undefined (unknown or expired). */
  loadToken(tenant: string, id: string): Promise<DelegatedToken | undefined>;
  /** Where a checkout's context is taken from until the platform sends a country. */
  defaultContext: EvaluationContext;
  /** AP2 mandates, for a platform that negotiated the extension. */
  ap2: UcpAp2;
  /** The currency a checkout without a priced line names. */
  fallbackCurrency: string;
}

/** A complete under the negotiated AP2 extension: the platform's profile keys, if it has any. */
export interface UcpAp2Complete {
  platformKeys?: readonly JWK[];
}

export interface UcpSessionOutcome extends SessionSteps {
  requestMessages: UcpMessageError[];
}

/** ap2-mandates.md "Enforce Negotiation": no checkout mandate, no completion. */
const MANDATE_REQUIRED: UcpMessageError = {
  type: 'error',
  code: 'mandate_required',
  severity: 'recoverable',
  path: '$.ap2.checkout_mandate',
  content_type: 'plain',
  content:
    'AP2 mandates were negotiated for this session: complete with ap2.checkout_mandate, and the payment mandate as the selected instrument credential token.',
};

function paymentProblem(content: string): UcpMessageError {
  return {
    type: 'error',
    code: 'payment_failed',
    severity: 'recoverable',
    path: PAYMENT_PATH,
    content_type: 'plain',
    content,
  };
}

export class UcpCheckoutSessions {
  constructor(private readonly deps: UcpCheckoutSessionDeps) {}

  async read(tenant: string, id: string): Promise<UcpSessionOutcome> {
    return { ...(await this.deps.steps.read(tenant, id)), requestMessages: [] };
  }

  async create(caller: Caller, body: CreateCheckoutRequest): Promise<UcpSessionOutcome> {
    const context = checkoutContextOf(body.context, this.deps.defaultContext);
    const steps = await this.deps.steps.create(
      caller.tenant,
      context,
      lineQuantitiesOf(body.line_items),
    );
    return { ...steps, requestMessages: [] };
  }

  /**
   * Update is a full replacement (checkout.md): the lines become the ones sent. The context the
   * checkout was opened in stays: the domain has no step that moves a cart to another region.
   */
  async update(
    caller: Caller,
    id: string,
    body: UpdateCheckoutRequest,
  ): Promise<UcpSessionOutcome> {
    const outcome: UcpSessionOutcome = {
      checkout: await this.deps.steps.get(caller.tenant, id),
      blockers: [],
      requestMessages: [],
    };
    await this.deps.steps.setLines(caller.tenant, outcome, lineQuantitiesOf(body.line_items));
    return outcome;
  }

  /**
   * Loads the delegated payment token of the selected instrument and hands its allowance to the
   * domain as the payment authority (the one mapping every protocol uses,
   * adapters/acp/to-mandate.ts); whether it covers the checkout is the domain's decision. A
   * checkout that is not ready says why with its lines' current decisions.
   */
  async complete(
    caller: Caller,
    id: string,
    body: CompleteCheckoutRequest,
    idempotencyKey: string | undefined,
    ap2?: UcpAp2Complete,
  ): Promise<UcpSessionOutcome> {
    const checkout = await this.deps.steps.get(caller.tenant, id);
    const outcome: UcpSessionOutcome = { checkout, blockers: [], requestMessages: [] };
    const chosen = delegatedTokenOf(body.payment.instruments);
    if ('problem' in chosen) {
      outcome.requestMessages.push(paymentProblem(chosen.problem));
      return this.withLineBlockers(caller.tenant, outcome);
    }
    if (ap2 !== undefined) {
      await this.payWithMandates(caller, outcome, body, chosen.token, ap2, idempotencyKey);
      return this.withLineBlockers(caller.tenant, outcome);
    }
    const token = await this.deps.loadToken(caller.tenant, chosen.token);
    const allowance = AllowanceSchema.safeParse(token?.allowance);
    if (token === undefined || !allowance.success) {
      outcome.requestMessages.push(
        paymentProblem(
          'The payment token is unknown or has expired. Tokenize the payment again with the delegated_payment handler.',
        ),
      );
      return this.withLineBlockers(caller.tenant, outcome);
    }
    const request = startPaymentRequestOf({
      allowance: allowance.data,
      allowanceRef: token.id,
      actor: { actorId: caller.callerId, actorType: 'agent' },
    });
    await this.deps.steps.pay(
      caller.tenant,
      outcome,
      { ...request, asSent: { checkoutId: id, body } },
      idempotencyKey === undefined
        ? undefined
        : `ucp:complete_checkout:${caller.callerId}:${idempotencyKey}`,
    );
    return this.withLineBlockers(caller.tenant, outcome);
  }

  /**
   * Under the AP2 extension the checkout mandate (`ap2.checkout_mandate`) and the payment mandate
   * (the selected instrument's credential token) are the payment authority: verified against
   * the checkout the checkout mandate carries and mapped once (adapters/ap2/to-mandate.ts); the
   * domain decides on them as on any mandate. Without a checkout mandate nothing is paid.
   */
  private async payWithMandates(
    caller: Caller,
    outcome: UcpSessionOutcome,
    body: CompleteCheckoutRequest,
    paymentMandate: string,
    ap2: UcpAp2Complete,
    idempotencyKey: string | undefined,
  ): Promise<void> {
    const checkoutMandate = body.ap2?.checkout_mandate;
    if (checkoutMandate === undefined || checkoutMandate.length === 0) {
      outcome.requestMessages.push(MANDATE_REQUIRED);
      return;
    }
    const { checkout } = outcome;
    const { mandate } = await this.deps.ap2.mandateOf(
      caller.tenant,
      checkout,
      { checkoutMandate, paymentMandate },
      ucpCheckoutTerms(checkout, this.deps.fallbackCurrency),
      ap2.platformKeys,
    );
    await this.deps.steps.pay(
      caller.tenant,
      outcome,
      {
        mandate,
        actor: { actorId: caller.callerId, actorType: 'agent' },
        asSent: { checkoutId: checkout.id, body },
      },
      idempotencyKey === undefined
        ? undefined
        : `ucp:complete_checkout:${caller.callerId}:${idempotencyKey}`,
    );
  }

  /** Cancels; `refused` is the domain's refusal (a completed or canceled checkout). */
  async cancel(
    caller: Caller,
    id: string,
  ): Promise<UcpSessionOutcome & { refused?: TransitionDecision }> {
    return { ...(await this.deps.steps.cancel(caller.tenant, id)), requestMessages: [] };
  }

  /** An open checkout's answer also carries its lines' current prepare_checkout blockers. */
  private async withLineBlockers(
    tenant: string,
    outcome: UcpSessionOutcome,
  ): Promise<UcpSessionOutcome> {
    if (outcome.checkout.state !== 'cart_open') return outcome;
    const current = await this.deps.steps.read(tenant, outcome.checkout.id);
    outcome.blockers.push(...current.blockers);
    return outcome;
  }
}
