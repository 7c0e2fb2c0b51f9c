import {
  AWAITING_PAYMENT_STATES,
  type Blocker,
  type CheckoutRecord,
  type EvaluationContext,
  type TransitionDecision,
  wasApplied,
} from '../../domain/index.js';
import type { CheckoutService, StartPaymentRequest } from './checkout-service.js';

/**
 * A checkout "session" as the agent protocols that have one (ACP, UCP) see it, over the checkout
 * service: each session call is a short sequence of the service's own steps (open, add, remove,
 * prepare, start payment, cancel), every one decided by the domain. What is collected here is
 * only what the adapters tell the agent: the record and the blockers of the decisions the answer
 * stands on. The protocols' adapters map their bodies in and their sessions out.
 */

/** A blocker and, where the domain decided it for one product, that product. */
export interface ProductBlocker {
  blocker: Blocker;
  productId?: string;
}

export interface SessionSteps {
  checkout: CheckoutRecord;
  blockers: ProductBlocker[];
}

export interface CheckoutSessionStepsDeps {
  service: CheckoutService;
  /** The domain's prepare_checkout decision of one product in a context (the profile API's). */
  prepareDecisionOf(
    tenant: string,
    productId: string,
    context: EvaluationContext,
  ): Promise<TransitionDecision | undefined>;
  /** How long a payment waits for the payment chain to settle before answering in progress. */
  completeWaitMs: number;
  /** Resolves after `ms` (injected so the wait has no timer of its own to fake in tests). */
  pause(ms: number): Promise<void>;
  nowMs(): number;
}

const SETTLE_POLL_MS = 25;

export class SessionNotFound extends Error {
  constructor(readonly id: string) {
    super(`no checkout session ${id}`);
    this.name = 'SessionNotFound';
  }
}

/** The blockers of a decision, each about `productId` when the decision was for one product. */
export function blockersOf(decision: TransitionDecision, productId?: string): ProductBlocker[] {
  return decision.blockers.map((blocker) =>
    productId === undefined ? { blocker } : { blocker, productId },
  );
}

function recordOf(result: { checkout: CheckoutRecord | null }, id: string): CheckoutRecord {
  if (result.checkout === null) throw new SessionNotFound(id);
  return result.checkout;
}

export class CheckoutSessionSteps {
  constructor(private readonly deps: CheckoutSessionStepsDeps) {}

  async get(tenant: string, id: string): Promise<CheckoutRecord> {
    const checkout = await this.deps.service.get(tenant, id);
    if (checkout === undefined) throw new SessionNotFound(id);
    return checkout;
  }

  /**
   * The session as it stands. One not ready for payment says why with the domain's current
   * prepare_checkout decision of each of its lines (read from the profile API, not decided here).
   */
  async read(tenant: string, id: string): Promise<SessionSteps> {
    const checkout = await this.get(tenant, id);
    const outcome: SessionSteps = { checkout, blockers: [] };
    if (checkout.state !== 'cart_open') return outcome;
    for (const line of checkout.lines) {
      const prepare = await this.deps.prepareDecisionOf(tenant, line.productId, checkout.context);
      if (prepare !== undefined) outcome.blockers.push(...blockersOf(prepare, line.productId));
    }
    return outcome;
  }

  /** Opens the checkout in `context`, adds each item, and prepares it once every item is a line. */
  async create(
    tenant: string,
    context: EvaluationContext,
    quantities: ReadonlyMap<string, number>,
  ): Promise<SessionSteps> {
    const opened = await this.deps.service.createCheckout(tenant, { context });
    const outcome: SessionSteps = { checkout: recordOf(opened, 'new'), blockers: [] };
    await this.addAll(tenant, outcome, quantities);
    return outcome;
  }

  /**
   * Sets the lines to `wanted` (product → quantity; undefined keeps them) and prepares again:
   * the session is ready only as the domain decides it now.
   */
  async setLines(
    tenant: string,
    outcome: SessionSteps,
    wanted: ReadonlyMap<string, number> | undefined,
  ): Promise<void> {
    if (wanted === undefined) {
      await this.prepare(tenant, outcome);
      return;
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
    if (!(await this.addEach(tenant, outcome, grow))) return;
    const id = outcome.checkout.id;
    for (const productId of [...gone, ...shrink.keys()]) {
      const removed = await this.deps.service.removeItem(tenant, id, { productId });
      if (!this.apply(outcome, removed, productId)) return;
    }
    await this.addAll(tenant, outcome, shrink);
  }

  /**
   * Hands the domain the payment authority the adapter mapped; whether it covers the session is
   * the domain's decision. Allowed, the payment chain runs: the answer waits a little for the
   * capture to complete the checkout, and otherwise stands as in progress.
   */
  async pay(
    tenant: string,
    outcome: SessionSteps,
    request: StartPaymentRequest,
    idempotencyKey: string | undefined,
  ): Promise<void> {
    const started = await this.deps.service.startPayment(
      tenant,
      outcome.checkout.id,
      request,
      // The service keeps the start's answer too: a retry after a crash starts nothing twice.
      idempotencyKey === undefined ? {} : { idempotencyKey },
    );
    if (!this.apply(outcome, started)) return;
    outcome.checkout = await this.settled(tenant, outcome.checkout);
  }

  /** Cancels; `refused` is the domain's refusal (a completed or canceled session). */
  async cancel(
    tenant: string,
    id: string,
  ): Promise<SessionSteps & { refused?: TransitionDecision }> {
    const checkout = await this.get(tenant, id);
    const canceled = await this.deps.service.cancel(tenant, id, {});
    if (wasApplied(canceled)) return { checkout: recordOf(canceled, id), blockers: [] };
    return { checkout, blockers: [], refused: canceled.decision };
  }

  /** Adds each item, then prepares once every one is a line. */
  private async addAll(
    tenant: string,
    outcome: SessionSteps,
    quantities: ReadonlyMap<string, number>,
  ): Promise<void> {
    // A session is never made ready for part of what the buyer asked for.
    if (await this.addEach(tenant, outcome, quantities)) await this.prepare(tenant, outcome);
  }

  /** Adds each item (every one is tried, so the agent hears of all refusals); true if all were. */
  private async addEach(
    tenant: string,
    outcome: SessionSteps,
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

  private async prepare(tenant: string, outcome: SessionSteps): Promise<void> {
    const prepared = await this.deps.service.prepare(tenant, outcome.checkout.id, {});
    this.apply(outcome, prepared);
  }

  /** Keeps an applied step's record, or its refusal's blockers; true when applied. */
  private apply(
    outcome: SessionSteps,
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
