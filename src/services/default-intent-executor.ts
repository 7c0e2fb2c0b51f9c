import { UnrecoverableError } from 'bullmq';
import {
  type CommerceIntent,
  decisionFor,
  type EvaluationContext,
  type IntentAnswer,
  type IntentOutcome,
  type ProductActionProfile,
} from '../domain/index.js';
import type { CheckoutService } from './checkout/checkout-service.js';
import { executeCheckoutIntent, type SignedMandates } from './checkout-intents.js';
import { type IntentExecutor, isStateChanging } from './intent-executor.js';

/** The evaluation context of a read-only intent; the ingress guarantees region and buyer type. */
function contextOf(intent: CommerceIntent): EvaluationContext {
  const { region, buyerType, channel } = intent.context;
  if (region === undefined || buyerType === undefined)
    throw new UnrecoverableError(`intent ${intent.action} lacks region or buyer type`);
  return { region, buyerType, channel };
}

export interface IntentExecutorDeps {
  /** The profile service every surface reads (stored profile, re-evaluated when out of date). */
  profiles: {
    getProfile(
      tenant: string,
      productId: string,
      context: EvaluationContext,
    ): Promise<ProductActionProfile>;
  };
  /** Carries out add_to_cart, prepare_checkout and delegate_payment; absent, they are refused. */
  checkout?: CheckoutService;
  /** Verifies signed (AP2) mandates a delegate_payment presents; absent, they are refused. */
  signedMandates?: SignedMandates;
}

/**
 * The executor the worker runs. Read-only intents (discover, compare, quote_policy and the
 * whole profile) are answered from the product's profile, the same one the feeds publish; the
 * state-changing ones go through the checkout service, which decides them on current facts and
 * authority. A deployment without the checkout service says so in `supports`, and the ingress
 * refuses those intents before anything is queued.
 */
export function createIntentExecutor(deps: IntentExecutorDeps): IntentExecutor {
  const { checkout, profiles } = deps;
  return {
    supports: (action) => !isStateChanging(action) || checkout !== undefined,
    async execute(
      tenant: string,
      intent: CommerceIntent,
      answer: IntentAnswer,
    ): Promise<IntentOutcome> {
      if (isStateChanging(intent.action)) {
        if (checkout === undefined)
          throw new UnrecoverableError(`${intent.action} is not available in this build`);
        return executeCheckoutIntent(checkout, tenant, intent, deps.signedMandates);
      }
      if (intent.productId === undefined)
        throw new UnrecoverableError(`intent ${intent.action} has no productId`);
      const context = contextOf(intent);
      const profile = await profiles.getProfile(tenant, intent.productId, context);
      if (answer === 'profile') return { kind: 'profile', profile };
      const decision = decisionFor(profile, intent.action, intent.policyDomain);
      if (decision === undefined)
        throw new UnrecoverableError(
          `no ${intent.action}${intent.policyDomain ? `/${intent.policyDomain}` : ''} decision in the profile`,
        );
      return { kind: 'decision', productId: intent.productId, context, decision };
    },
  };
}
