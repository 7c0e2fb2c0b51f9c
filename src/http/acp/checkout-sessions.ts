import type { Caller } from '../../adapters/a2a/to-intent.js';
import { AllowanceSchema } from '../../adapters/acp/allowance.js';
import { startPaymentRequestOf } from '../../adapters/acp/complete-request.js';
import { quantitiesOf, sessionContextOf } from '../../adapters/acp/session-context.js';
import type { AcpMessageError } from '../../adapters/acp/session-messages.js';
import type {
  CompleteSessionRequest,
  CreateSessionRequest,
  UpdateSessionRequest,
} from '../../adapters/acp/session-request.js';
import { paymentMessage, updateMessages } from '../../adapters/acp/session-request-messages.js';
import type { CheckoutRecord, EvaluationContext, TransitionDecision } from '../../domain/index.js';
import {
  CheckoutSessionSteps,
  type CheckoutSessionStepsDeps,
  type SessionSteps,
} from '../../services/checkout/checkout-session-steps.js';

export { SessionNotFound } from '../../services/checkout/checkout-session-steps.js';

/**
 * The ACP checkout-session operations over the protocol-neutral session steps
 * (services/checkout/checkout-session-steps.ts): ACP bodies mapped in, and what only ACP says
 * about a request (an unknown token, an option we do not offer) collected beside the blockers.
 */

/** A delegated payment token as the vault keeps it (src/store/vault-token-store.ts). */
export interface DelegatedToken {
  id: string;
  /** The allowance as accepted at delegate_payment; parsed again before it is used. */
  allowance: unknown;
}

export interface CheckoutSessionDeps extends CheckoutSessionStepsDeps {
  /** The caller's tenant's delegated payment token, or undefined (unknown or expired). */
  loadToken(tenant: string, id: string): Promise<DelegatedToken | undefined>;
  /** Where a session's context is taken from until the agent sends an address. */
  defaultContext: EvaluationContext;
}

/** What a session operation answers: the record as it stands and why it is not further. */
export interface SessionOutcome extends SessionSteps {
  requestMessages: AcpMessageError[];
}

export class CheckoutSessions {
  private readonly steps: CheckoutSessionSteps;

  constructor(private readonly deps: CheckoutSessionDeps) {
    this.steps = new CheckoutSessionSteps(deps);
  }

  get(tenant: string, id: string): Promise<CheckoutRecord> {
    return this.steps.get(tenant, id);
  }

  async read(tenant: string, id: string): Promise<SessionOutcome> {
    return { ...(await this.steps.read(tenant, id)), requestMessages: [] };
  }

  async create(caller: Caller, body: CreateSessionRequest): Promise<SessionOutcome> {
    const context = sessionContextOf(body, this.deps.defaultContext);
    const steps = await this.steps.create(caller.tenant, context, quantitiesOf(body.line_items));
    return { ...steps, requestMessages: [] };
  }

  /**
   * Sets the items to the ones sent (when sent), checks the chosen fulfillment option and
   * address, and prepares again.
   */
  async update(caller: Caller, id: string, body: UpdateSessionRequest): Promise<SessionOutcome> {
    const outcome: SessionOutcome = {
      checkout: await this.steps.get(caller.tenant, id),
      blockers: [],
      requestMessages: [],
    };
    outcome.requestMessages.push(...updateMessages(outcome.checkout.context, body));
    const wanted = body.line_items === undefined ? undefined : quantitiesOf(body.line_items);
    await this.steps.setLines(caller.tenant, outcome, wanted);
    return outcome;
  }

  /**
   * Loads the delegated payment token and hands its allowance to the domain as the payment
   * authority (the one ACP mapping, adapters/acp/to-mandate.ts).
   */
  async complete(
    caller: Caller,
    id: string,
    body: CompleteSessionRequest,
    idempotencyKey: string | undefined,
  ): Promise<SessionOutcome> {
    const checkout = await this.steps.get(caller.tenant, id);
    const outcome: SessionOutcome = { checkout, blockers: [], requestMessages: [] };
    const tokenId = body.payment_data.instrument?.credential.token;
    if (tokenId === undefined) {
      outcome.requestMessages.push(
        paymentMessage('unsupported', 'Pay with a delegated payment token (vault token).'),
      );
      return outcome;
    }
    const token = await this.deps.loadToken(caller.tenant, tokenId);
    const allowance = AllowanceSchema.safeParse(token?.allowance);
    if (token === undefined || !allowance.success) {
      outcome.requestMessages.push(
        paymentMessage(
          'invalid',
          'The payment token is unknown or has expired. Delegate the payment again (POST /agentic_commerce/delegate_payment).',
        ),
      );
      return outcome;
    }
    const request = startPaymentRequestOf({
      allowance: allowance.data,
      allowanceRef: token.id,
      actor: { actorId: caller.callerId, actorType: 'agent' },
    });
    await this.steps.pay(
      caller.tenant,
      outcome,
      { ...request, asSent: { checkoutSessionId: id, body } },
      idempotencyKey === undefined
        ? undefined
        : `acp:complete_session:${caller.callerId}:${idempotencyKey}`,
    );
    return outcome;
  }

  /** Cancels; `refused` is the domain's refusal (a completed or canceled session). */
  async cancel(
    caller: Caller,
    id: string,
  ): Promise<SessionOutcome & { refused?: TransitionDecision }> {
    return { ...(await this.steps.cancel(caller.tenant, id)), requestMessages: [] };
  }
}
