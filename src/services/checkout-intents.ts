import { UnrecoverableError } from 'bullmq';
import {
  type CommerceIntent,
  type EvaluationContext,
  type IntentOutcome,
  type Mandate,
  wasApplied,
} from '../domain/index.js';
import { AppError } from '../errors/codes.js';
import type { CheckoutRecord, TransitionResult } from './checkout/checkout-record.js';
import type { CheckoutService, RequestMeta } from './checkout/checkout-service.js';

/**
 * State-changing intents carried out by the checkout service, the same service the checkout
 * HTTP API uses. Every transition carries a key derived from the intent's idempotency key, so a
 * retried job replays the stored answer instead of doing the step twice.
 */

/** What an agent may see of a checkout: no tenant, no internal correlation or failure detail. */
function publicCheckout(checkout: CheckoutRecord | null): Record<string, unknown> | null {
  if (checkout === null) return null;
  return {
    id: checkout.id,
    state: checkout.state,
    version: checkout.version,
    context: checkout.context,
    lines: checkout.lines,
    preparedTotal: checkout.preparedTotal,
    orderId: checkout.orderId,
    payments: checkout.payments.map((payment) => ({
      paymentId: payment.paymentId,
      state: payment.state,
      amount: payment.amount,
      capturedAmount: payment.capturedAmount,
      refundedAmount: payment.refundedAmount,
    })),
    updatedAt: checkout.updatedAt,
  };
}

type CheckoutOutcome = Extract<IntentOutcome, { kind: 'checkout' }>;

/** What a step adds to its outcome beside the transition: AP2's receipt or signed checkout. */
type StepExtras = Pick<CheckoutOutcome, 'mandateReceipt' | 'signedCheckout'>;

function outcomeOf(result: TransitionResult, extras: StepExtras): IntentOutcome {
  return {
    kind: 'checkout',
    outcome: result.outcome,
    decision: result.decision,
    checkout: publicCheckout(result.checkout),
    ...extras,
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new UnrecoverableError(`intent lacks ${what}`);
  return value;
}

/** AP2 on the intent worker: the checkout a mandate binds to, and the mandates presented. */
export interface SignedMandates {
  /**
   * Verifies signed mandates against a checkout and maps them to the domain's mandate (the AP2
   * adapter's one mapping); a failed verification is a mandate the domain refuses, not an
   * error. `receipt` signs the answer to them once the step is decided.
   */
  mandateOf(
    tenant: string,
    checkout: CheckoutRecord,
    presented: { checkoutMandate: string; paymentMandate: string },
  ): Promise<{ mandate: Mandate; receipt(result: TransitionResult): Promise<string> }>;
  /** Signs a checkout prepared for payment (AP2's checkout JWT); undefined when it is not. */
  signCheckout(
    tenant: string,
    checkout: CheckoutRecord,
  ): Promise<CheckoutOutcome['signedCheckout'] | undefined>;
}

async function mandateOfPresented(
  service: CheckoutService,
  tenant: string,
  checkoutId: string,
  intent: CommerceIntent,
  signed: SignedMandates | undefined,
): Promise<Awaited<ReturnType<SignedMandates['mandateOf']>>> {
  if (signed === undefined) throw new UnrecoverableError('signed mandates are not accepted here');
  const checkout = await service.get(tenant, checkoutId);
  if (checkout === undefined) throw new AppError('NOT_FOUND', [`checkout ${checkoutId}`]);
  const { checkoutMandate, paymentMandate } = required(intent.presentedMandates, 'mandates');
  return signed.mandateOf(tenant, checkout, { checkoutMandate, paymentMandate });
}

async function run(
  service: CheckoutService,
  tenant: string,
  intent: CommerceIntent,
  signed?: SignedMandates,
): Promise<{ result: TransitionResult } & StepExtras> {
  const key = required(intent.idempotencyKey, 'an idempotency key');
  const meta = (step: string): RequestMeta => ({
    idempotencyKey: `${key}-${step}`,
    correlationId: intent.correlationId,
  });
  switch (intent.action) {
    case 'add_to_cart': {
      const item = {
        productId: required(intent.productId, 'productId'),
        quantity: required(intent.quantity, 'quantity'),
      };
      if (intent.cartId !== undefined)
        return { result: await service.addItem(tenant, intent.cartId, item, meta('add')) };
      const context: EvaluationContext = {
        region: required(intent.context.region, 'a region'),
        buyerType: required(intent.context.buyerType, 'a buyer type'),
        channel: intent.context.channel,
      };
      const opened = await service.createCheckout(tenant, { context }, meta('open'));
      if (!wasApplied(opened) || opened.checkout === null) return { result: opened };
      return { result: await service.addItem(tenant, opened.checkout.id, item, meta('add')) };
    }
    case 'prepare_checkout': {
      const result = await service.prepare(
        tenant,
        required(intent.cartId, 'cartId'),
        {},
        meta('prepare'),
      );
      // Prepared for payment: signed at once, so an agent paying with AP2 mandates has what
      // they bind to in the same answer (the checkout API signs on its own route instead).
      if (!wasApplied(result) || result.checkout === null || signed === undefined)
        return { result };
      const signedCheckout = await signed.signCheckout(tenant, result.checkout);
      return { result, ...(signedCheckout === undefined ? {} : { signedCheckout }) };
    }
    case 'delegate_payment': {
      // The mandate is the domain's authority input, mapped from the protocol's wire object at
      // the ingress (an ACP allowance: adapters/acp/to-mandate.ts) or, for signed mandates, here
      // against the checkout they were signed for; the domain judges it either way.
      const checkoutId = required(intent.checkoutId, 'checkoutId');
      const pay = (mandate: Mandate) =>
        service.startPayment(
          tenant,
          checkoutId,
          { mandate, actor: intent.actor },
          meta('complete'),
        );
      if (intent.presentedMandates === undefined)
        return { result: await pay(required(intent.mandate, 'a mandate')) };
      const presented = await mandateOfPresented(service, tenant, checkoutId, intent, signed);
      const result = await pay(presented.mandate);
      return { result, mandateReceipt: await presented.receipt(result) };
    }
    default:
      throw new UnrecoverableError(`${intent.action} does not change a checkout`);
  }
}

export async function executeCheckoutIntent(
  service: CheckoutService,
  tenant: string,
  intent: CommerceIntent,
  signed?: SignedMandates,
): Promise<IntentOutcome> {
  try {
    const { result, ...extras } = await run(service, tenant, intent, signed);
    return outcomeOf(result, extras);
  } catch (error) {
    // A reference to no checkout of this tenant, or a reused key, will not heal on retry.
    if (error instanceof AppError && !error.retryable) throw new UnrecoverableError(error.message);
    throw error;
  }
}
