import { startPaymentRequestOf } from '../../adapters/acp/complete-request.js';
import {
  checkoutView,
  refusalText,
  type StepOutput,
  stepOutput,
} from '../../adapters/mcp/checkout-output.js';
import type { checkoutTools } from '../../adapters/mcp/checkout-tools.js';
import { type ToolCallKey, toolCallKey } from '../../adapters/mcp/tool-idempotency.js';
import { isConflictRefusal, wasApplied } from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { TransitionResult } from '../../services/checkout/checkout-record.js';
import type { CheckoutService, RequestMeta } from '../../services/checkout/checkout-service.js';
import type { Ap2Payments } from '../ap2/ap2-payments.js';
import { untilKeyFree } from './key-in-flight.js';
import { bindTool, type McpCaller, type ToolBinding, ToolRefusal } from './tool-runner.js';

export interface CheckoutBindingDeps {
  service: CheckoutService;
  /** Signs checkouts for AP2 mandates and verifies the mandates complete_checkout presents. */
  ap2: Ap2Payments;
  /** How long a call waits for an identical one still running (the key's claim TTL). */
  inFlightWaitMs: number;
}

type Tools = ReturnType<typeof checkoutTools>;

/** A call's key for the service, with the tool and the key the caller sent, for its errors. */
interface CallKey extends ToolCallKey {
  tool: string;
  idempotencyKey: string | undefined;
}

/**
 * The checkout tools over the checkout service, step for step as the HTTP checkout routes call
 * it: the service decides and commits (with its outbox effects); here arguments become its
 * requests and its answers the tools' results. Errors to the caller (isError) are a checkout
 * not found (another tenant's is not found either: the store is the tenant's), a conflict
 * refusal (a step the checkout's state does not take, a stale expectedVersion) and a reused
 * key; a refused commercial decision is a normal result.
 */
export function checkoutBindings(tools: Tools, deps: CheckoutBindingDeps): ToolBinding[] {
  const { service } = deps;

  /** One service step under the call's key, its refusals and errors said the MCP way. */
  const step = async (
    keyed: CallKey,
    suffix: string,
    run: (meta: RequestMeta) => Promise<TransitionResult>,
  ): Promise<TransitionResult> => {
    const meta: RequestMeta = {
      idempotencyKey: `${keyed.key}${suffix}`,
      keepRefusals: !keyed.derived,
    };
    let result: TransitionResult;
    try {
      result = await untilKeyFree(() => run(meta), deps.inFlightWaitMs);
    } catch (error) {
      throw refusalOf(error, keyed.idempotencyKey);
    }
    if (!wasApplied(result) && isConflictRefusal(result.decision))
      throw new ToolRefusal(refusalText(keyed.tool, result));
    return result;
  };

  const keyOf = (
    tool: string,
    args: { idempotencyKey?: string | undefined } & Record<string, unknown>,
    caller: McpCaller,
  ): CallKey => ({
    ...toolCallKey(caller.callerId, tool, args),
    tool,
    idempotencyKey: args.idempotencyKey,
  });

  const answer = (caller: McpCaller, result: TransitionResult): StepOutput =>
    stepOutput(result, service.merchantIdOf(caller.tenant));

  /** AP2 mandates verified against the checkout as last signed, mapped once (Ap2Payments). */
  const ap2Request = async (
    tenant: string,
    checkoutId: string,
    ap2: { checkout_mandate: string; payment_mandate: string } | undefined,
    actor: { actorId: string; actorType: 'agent' },
    expectedVersion: number | undefined,
  ) => {
    const checkout = await service.get(tenant, checkoutId);
    if (checkout === undefined || ap2 === undefined)
      throw new ToolRefusal(`No checkout ${checkoutId}.`);
    const { mandate, outcome } = await deps.ap2.mandateOf(tenant, checkout, {
      checkoutMandate: ap2.checkout_mandate,
      paymentMandate: ap2.payment_mandate,
    });
    const request = {
      mandate,
      actor,
      asSent: { checkoutId, ap2, expectedVersion },
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    };
    return { request, outcome };
  };

  return [
    bindTool(tools.createCart, async (args, caller) => {
      const keyed = keyOf(tools.createCart.name, args, caller);
      return answer(
        caller,
        await step(keyed, '', (meta) =>
          service.createCheckout(caller.tenant, { context: args.context }, meta),
        ),
      );
    }),

    bindTool(tools.addToCart, async (args, caller) => {
      const keyed = keyOf(tools.addToCart.name, args, caller);
      const item = {
        productId: args.productId,
        quantity: args.quantity,
        expectedVersion: args.expectedVersion,
      };
      let checkoutId = args.checkoutId;
      if (checkoutId === undefined) {
        // As the A2A intent does: open a cart under a key of its own first, so a retried call
        // finds the cart the first one opened instead of opening another.
        const context = args.context ?? tools.defaultContext;
        const opened = await step(keyed, '-open', (meta) =>
          service.createCheckout(caller.tenant, { context }, meta),
        );
        if (!wasApplied(opened) || opened.checkout === null) return answer(caller, opened);
        checkoutId = opened.checkout.id;
      }
      const id = checkoutId;
      return answer(
        caller,
        await step(keyed, '', (meta) => service.addItem(caller.tenant, id, item, meta)),
      );
    }),

    bindTool(tools.removeFromCart, async (args, caller) => {
      const keyed = keyOf(tools.removeFromCart.name, args, caller);
      const input = { productId: args.productId, expectedVersion: args.expectedVersion };
      return answer(
        caller,
        await step(keyed, '', (meta) =>
          service.removeItem(caller.tenant, args.checkoutId, input, meta),
        ),
      );
    }),

    bindTool(tools.prepareCheckout, async (args, caller) => {
      const keyed = keyOf(tools.prepareCheckout.name, args, caller);
      return answer(
        caller,
        await step(keyed, '', (meta) =>
          service.prepare(
            caller.tenant,
            args.checkoutId,
            { expectedVersion: args.expectedVersion },
            meta,
          ),
        ),
      );
    }),

    bindTool(tools.signCheckout, async (args, caller) => {
      const checkout = await service.get(caller.tenant, args.checkoutId);
      if (checkout === undefined) throw new ToolRefusal(`No checkout ${args.checkoutId}.`);
      const signed = await deps.ap2.issue(caller.tenant, checkout);
      if (signed === undefined)
        throw new ToolRefusal(
          `Checkout ${checkout.id} is ${checkout.state}: prepare it (prepare_checkout) before signing it.`,
        );
      return {
        checkoutJwt: signed.checkoutJwt,
        checkoutHash: signed.checkoutHash,
        nonce: signed.nonce,
        audience: signed.audience,
        expiresAt: signed.expiresAt,
        version: signed.version,
      };
    }),

    bindTool(tools.completeCheckout, async (args, caller) => {
      const keyed = keyOf(tools.completeCheckout.name, args, caller);
      if ((args.allowance === undefined) === (args.ap2 === undefined))
        throw new ToolRefusal(
          'Send exactly one payment authority: an ACP allowance, or AP2 mandates (ap2).',
        );
      // The actor is the credential's agent: a tool argument could claim to be anyone.
      const actor = { actorId: caller.callerId, actorType: 'agent' } as const;
      if (args.allowance !== undefined) {
        // The one ACP mapping (adapters/acp/), as the HTTP route uses it.
        const request = startPaymentRequestOf({
          allowance: args.allowance,
          allowanceRef: args.allowanceRef,
          actor,
          expectedVersion: args.expectedVersion,
        });
        return answer(
          caller,
          await step(keyed, '', (meta) =>
            service.startPayment(caller.tenant, args.checkoutId, request, meta),
          ),
        );
      }
      const { request, outcome } = await ap2Request(
        caller.tenant,
        args.checkoutId,
        args.ap2,
        actor,
        args.expectedVersion,
      );
      const started = await step(keyed, '', (meta) =>
        service.startPayment(caller.tenant, args.checkoutId, request, meta),
      );
      // AP2 answers presented mandates with a signed receipt, as the checkout API's header does.
      const ap2Receipt = await deps.ap2.receipt(outcome, args.checkoutId, started);
      return { ...answer(caller, started), ap2Receipt };
    }),

    bindTool(tools.cancelCheckout, async (args, caller) => {
      const keyed = keyOf(tools.cancelCheckout.name, args, caller);
      return answer(
        caller,
        await step(keyed, '', (meta) =>
          service.cancel(
            caller.tenant,
            args.checkoutId,
            { expectedVersion: args.expectedVersion },
            meta,
          ),
        ),
      );
    }),

    bindTool(tools.getCheckout, async ({ checkoutId }, caller) => {
      const checkout = await service.get(caller.tenant, checkoutId);
      if (checkout === undefined)
        throw new ToolRefusal(`NOT_FOUND: checkout ${checkoutId} not found`);
      return { checkout: checkoutView(checkout, service.merchantIdOf(caller.tenant)) };
    }),
  ];
}

/**
 * What the service threw, as the caller reads it: its refusals (not found, a reused key, a key
 * still running, a checkout changing too fast) name their code; a fault stays a fault.
 */
function refusalOf(error: unknown, idempotencyKey: string | undefined): unknown {
  if (!(error instanceof AppError) || error.statusCode >= 500) return error;
  switch (error.code) {
    // The service's message names the key it was given, derived here; say the caller's.
    case 'IDEMPOTENCY_CONFLICT':
      if (idempotencyKey === undefined) break;
      return new ToolRefusal(
        `IDEMPOTENCY_CONFLICT: idempotencyKey ${JSON.stringify(idempotencyKey)} was used ` +
          'before with other arguments; send a new key for a new request.',
      );
    case 'IDEMPOTENCY_IN_FLIGHT':
      return new ToolRefusal(
        'IDEMPOTENCY_IN_FLIGHT: the same call is still running; send it again shortly for its answer.',
      );
  }
  return new ToolRefusal(`${error.code}: ${error.message}`);
}
