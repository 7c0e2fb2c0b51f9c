import type { Caller } from '../../adapters/a2a/to-intent.js';
import { AllowanceSchema } from '../../adapters/acp/allowance.js';
import { startPaymentRequestOf } from '../../adapters/acp/complete-request.js';
import { quantitiesOf, sessionContextOf } from '../../adapters/acp/session-context.js';
import type { AcpMessageError, SessionBlocker } from '../../adapters/acp/session-messages.js';
import { blockersOf } from '../../adapters/acp/session-projection.js';
import type {
  CompleteSessionRequest,
  CreateSessionRequest,
  UpdateSessionRequest,
} from '../../adapters/acp/session-request.js';
import { paymentMessage, updateMessages } from '../../adapters/acp/session-request-messages.js';
import {
  AWAITING_PAYMENT_STATES,
  type CheckoutRecord,
  type EvaluationContext,
  type TransitionDecision,
  wasApplied,
} from '../../domain/index.js';
import type { CheckoutService } from '../../services/checkout/checkout-service.js';

/**
 * The ACP checkout-session operations over the checkout service: each ACP call is a short
 * sequence of the service's own steps (open, add, remove, prepare, start payment, cancel), every
 * one decided by the domain. What is collected here is only what to tell the agent: the records
 * and the blockers of the decisions the answer stands on.
 */

/** A delegated payment token as the vault keeps it (src/store/vault-token-store.ts). */
export interface DelegatedToken {
  id: string;
  /** The allowance as accepted at delegate_payment; parsed again before it is used. */
  allowance: unknown;
}

export interface CheckoutSessionDeps {
  service: CheckoutService;
  /** The domain's prepare_checkout decision of one product in a context (the profile API's). */
  prepareDecisionOf(
    tenant: string,
    productId: string,
    context: EvaluationContext,
  ): Promise<TransitionDecision | undefined>;
  /** The caller's tenant's delegated payment token, or undefined (unknown or expired). */
  loadToken(tenant: string, id: string): Promise<DelegatedToken | undefined>;
  /** Where a session's context is taken from until the agent sends an address. */
  defaultContext: EvaluationContext;
  /** How long `complete` waits for the payment chain to settle before answering in progress. */
  completeWaitMs: number;
  /** Resolves after `ms` (injected so the wait has no timer of its own to fake in tests). */
  pause(ms: number): Promise<void>;
  nowMs(): number;
}

/** What a session operation answers: the record as it stands and why it is not further. */
export interface SessionOutcome {
  checkout: CheckoutRecord;
  blockers: SessionBlocker[];
  requestMessages: AcpMessageError[];
}

const SETTLE_POLL_MS = 25;

export class SessionNotFound extends Error {
  constructor(readonly id: string) {
    super(`no checkout session ${id}`);
    this.name = 'SessionNotFound';
  }
}

function recordOf(result: { checkout: CheckoutRecord | null }, id: string): CheckoutRecord {
  if (result.checkout === null) throw new SessionNotFound(id);
  return result.checkout;
}

export class CheckoutSessions {
  constructor(private readonly deps: CheckoutSessionDeps) {}

  async get(tenant: string, id: string): Promise<CheckoutRecord> {
    const checkout = await this.deps.service.get(tenant, id);
    if (checkout === undefined) throw new SessionNotFound(id);
    return checkout;
  }

  /**
   * The session as it stands. One not ready for payment says why with the domain's current
   * prepare_checkout decision of each of its lines (read from the profile API, not decided here).
   */
  async read(tenant: string, id: string): Promise<SessionOutcome> {
    const checkout = await this.get(tenant, id);
    const outcome: SessionOutcome = { checkout, blockers: [], requestMessages: [] };
    if (checkout.state !== 'cart_open') return outcome;
    for (const line of checkout.lines) {
      const prepare = await this.deps.prepareDecisionOf(tenant, line.productId, checkout.context);
      if (prepare !== undefined) outcome.blockers.push(...blockersOf(prepare, line.productId));
    }
    return outcome;
  }

  /** Opens the checkout, adds each item, and prepares it once every item is a line. */
  async create(caller: Caller, body: CreateSessionRequest): Promise<SessionOutcome> {
    const { service } = this.deps;
    const context = sessionContextOf(body, this.deps.defaultContext);
    const opened = await service.createCheckout(caller.tenant, { context });
    const outcome: SessionOutcome = {
      checkout: recordOf(opened, 'new'),
      blockers: [],
      requestMessages: [],
    };
    await this.addAll(caller.tenant, outcome, quantitiesOf(body.line_items));
    return outcome;
  }

  /**
   * Sets the items to the ones sent (when sent), checks the chosen fulfillment option and
   * address, and prepares again: the session is ready only as the domain decides it now.
   */
  async update(caller: Caller, id: string, body: UpdateSessionRequest): Promise<SessionOutcome> {
    const outcome: SessionOutcome = {
      checkout: await this.get(caller.tenant, id),
      blockers: [],
      requestMessages: [],
    };
    outcome.requestMessages.push(...updateMessages(outcome.checkout.context, body));
    const wanted = body.line_items === undefined ? undefined : quantitiesOf(body.line_items);
    if (wanted === undefined) {
      await this.prepare(caller.tenant, outcome);
      return outcome;
    }
    // A line that grows takes the difference on top of it, before anything is removed, so a
    // refused addition leaves the buyer's lines as they were. A line that shrinks or goes is
    // removed (and added again at its new quantity: the domain has no set-quantity step).
    const grow = new Map<string, number>();
    const shrink = new Map<string, number>();
    const current = new Map(outcome.checkout.lines.map((line) => [line.productId, line.quantity]));
    for (const [productId, quantity] of wanted) {
      const had = current.get(productId) ?? 0;
      if (quantity > had) grow.set(productId, quantity - had);
      if (quantity < had) shrink.set(productId, quantity);
    }
    const gone = [...current.keys()].filter((productId) => !wanted.has(productId));
    if (!(await this.addEach(caller.tenant, outcome, grow))) return outcome;
    for (const productId of [...gone, ...shrink.keys()]) {
      const removed = await this.deps.service.removeItem(caller.tenant, id, { productId });
      if (!this.apply(outcome, removed, productId)) return outcome;
    }
    await this.addAll(caller.tenant, outcome, shrink);
    return outcome;
  }

  /**
   * Loads the delegated payment token and hands its allowance to the domain as the payment
   * authority (the one ACP mapping, adapters/acp/to-mandate.ts); whether it covers the session
   * is the domain's decision. Allowed, the payment chain runs: the answer waits a little for the
   * capture to complete the checkout, and otherwise says the completion is in progress.
   */
  async complete(
    caller: Caller,
    id: string,
    body: CompleteSessionRequest,
    idempotencyKey: string | undefined,
  ): Promise<SessionOutcome> {
    const checkout = await this.get(caller.tenant, id);
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
    const started = await this.deps.service.startPayment(
      caller.tenant,
      id,
      { ...request, asSent: { checkoutSessionId: id, body } },
      // The service keeps the start's answer too: a retry after a crash starts nothing twice.
      idempotencyKey === undefined
        ? {}
        : { idempotencyKey: `acp:complete_session:${caller.callerId}:${idempotencyKey}` },
    );
    if (!this.apply(outcome, started)) return outcome;
    outcome.checkout = await this.settled(caller.tenant, outcome.checkout);
    return outcome;
  }

  /** Cancels; `refused` is the domain's refusal (a completed or canceled session). */
  async cancel(
    caller: Caller,
    id: string,
  ): Promise<SessionOutcome & { refused?: TransitionDecision }> {
    const checkout = await this.get(caller.tenant, id);
    const canceled = await this.deps.service.cancel(caller.tenant, id, {});
    if (wasApplied(canceled))
      return { checkout: recordOf(canceled, id), blockers: [], requestMessages: [] };
    return { checkout, blockers: [], requestMessages: [], refused: canceled.decision };
  }

  /** Adds each item, then prepares once every one is a line. */
  private async addAll(
    tenant: string,
    outcome: SessionOutcome,
    quantities: ReadonlyMap<string, number>,
  ): Promise<void> {
    // A session is never made ready for part of what the buyer asked for.
    if (await this.addEach(tenant, outcome, quantities)) await this.prepare(tenant, outcome);
  }

  /** Adds each item (every one is tried, so the agent hears of all refusals); true if all were. */
  private async addEach(
    tenant: string,
    outcome: SessionOutcome,
    quantities: ReadonlyMap<string, number>,
  ): Promise<boolean> {
    let everyItem = true;
    for (const [productId, quantity] of quantities) {
      const added = await this.deps.service.addItem(tenant, outcome.checkout.id, {
        productId,
        quantity,
      });
      if (this.apply(outcome, added, productId)) continue;
      everyItem = false;
      // Refused as a line, the product is still what the buyer asked to check out: the agent
      // is told everything that stands in its way, as the profile API's prepare_checkout says.
      const prepare = await this.deps.prepareDecisionOf(
        tenant,
        productId,
        outcome.checkout.context,
      );
      if (prepare !== undefined) outcome.blockers.push(...blockersOf(prepare, productId));
    }
    return everyItem;
  }

  private async prepare(tenant: string, outcome: SessionOutcome): Promise<void> {
    const prepared = await this.deps.service.prepare(tenant, outcome.checkout.id, {});
    this.apply(outcome, prepared);
  }

  /** Keeps an applied step's record, or its refusal's blockers; true when applied. */
  private apply(
    outcome: SessionOutcome,
    result: {
      outcome: 'applied' | 'refused';
      checkout: CheckoutRecord | null;
      decision: TransitionDecision;
    },
    productId?: string,
  ): boolean {
    if (result.checkout !== null) outcome.checkout = result.checkout;
    if (wasApplied(result)) return true;
    outcome.blockers.push(...blockersOf(result.decision, productId));
    return false;
  }

  /** The record once the payment chain settled, or as it stands when the wait is over. */
  private async settled(tenant: string, checkout: CheckoutRecord): Promise<CheckoutRecord> {
    const deadline = this.deps.nowMs() + this.deps.completeWaitMs;
    let current = checkout;
    while (AWAITING_PAYMENT_STATES.includes(current.state) && this.deps.nowMs() < deadline) {
      await this.deps.pause(SETTLE_POLL_MS);
      current = (await this.deps.service.get(tenant, checkout.id)) ?? current;
    }
    return current;
  }
}
