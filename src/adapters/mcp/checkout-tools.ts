import { z } from 'zod';
import { AllowanceSchema } from '../acp/allowance.js';
import { GetCheckoutOutputSchema, StepOutputSchema } from './checkout-output.js';
import { CHECKOUT_TOOL_NAMES } from './checkout-vocabulary.js';
import { contextArgument } from './context-arguments.js';
import type { ToolAnnotations, ToolDefinition } from './tool-definition.js';
import { IdempotencyKeyArgument } from './tool-idempotency.js';

/**
 * The checkout tools: a cart and its checkout moved through the merchant's state machine by the
 * checkout service, the one the HTTP checkout API and A2A use. A refused step is an answer
 * (`outcome: refused` with the decision's blockers), never an error; an error is a checkout
 * that is not there (or not this tenant's), a step its state does not take, a version race or a
 * reused key.
 */

/** A change to the cart only: nothing leaves the merchant, and a retry is one effect. */
const CART_CHANGE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

const CheckoutIdArgument = z
  .string()
  .min(1)
  .max(128)
  .describe('The checkout (cart) id: checkout.checkoutId of an earlier answer.');

const ProductIdArgument = z
  .string()
  .min(1)
  .max(128)
  .describe('The product id (SKU), e.g. BAG-TRAVEL-42.');

const ExpectedVersionArgument = z
  .number()
  .int()
  .positive()
  .describe(
    'checkout.version of your last answer. When the checkout changed since, the call is refused ' +
      'with CART_VERSION_CONFLICT instead of acting on a cart you have not seen.',
  );

export function checkoutTools(regions: readonly [string, ...string[]]) {
  const context = contextArgument(regions);

  const createCart = {
    name: CHECKOUT_TOOL_NAMES.createCart,
    title: 'Open a cart',
    description:
      'Opens an empty cart (a checkout in state cart_open) for one market and buyer (context): ' +
      "the merchant's prices and rules for that context apply to everything added to it. " +
      'Answers checkout.checkoutId for the other checkout tools. add_to_cart without a ' +
      'checkoutId opens one itself.',
    input: z.strictObject({
      context: context.prefault({}),
      idempotencyKey: IdempotencyKeyArgument.optional(),
    }),
    output: StepOutputSchema,
    annotations: CART_CHANGE,
  } satisfies ToolDefinition;

  const addToCart = {
    name: CHECKOUT_TOOL_NAMES.addToCart,
    title: 'Add to cart',
    description:
      "Adds a quantity of a product to a cart at the merchant's current price. With checkoutId " +
      'it adds to that cart (a prepared cart reopens and needs prepare_checkout again); without ' +
      'one it first opens a cart in context, as create_cart does, and answers its checkoutId ' +
      "even when the line is refused. The merchant's rules decide each addition on current " +
      'facts (stock, price, policies): a refused one (outcome refused) changes nothing and says ' +
      'why in decision.blockers, each with its next action.',
    input: z
      .strictObject({
        checkoutId: CheckoutIdArgument.optional().describe(
          'The cart to add to; omit it to open a new cart in context.',
        ),
        context: context
          .optional()
          .describe(
            'Only without checkoutId: the market and buyer of the new cart; defaults to the ' +
              'first region, consumer, agent. A cart keeps the context it was opened in.',
          ),
        productId: ProductIdArgument,
        quantity: z
          .number()
          .int()
          .positive()
          .max(10_000)
          .default(1)
          .describe('How many to add to what the cart already holds of the product.'),
        expectedVersion: ExpectedVersionArgument.optional().describe(
          'Only with checkoutId: checkout.version of your last answer; a cart changed since ' +
            'is refused with CART_VERSION_CONFLICT.',
        ),
        idempotencyKey: IdempotencyKeyArgument.optional(),
      })
      .superRefine((args, issues) => {
        if (args.checkoutId !== undefined) {
          if (args.context !== undefined)
            issues.addIssue({
              code: 'custom',
              path: ['context'],
              message: 'only without checkoutId: a cart keeps the context it was opened in',
            });
        } else if (args.expectedVersion !== undefined) {
          issues.addIssue({
            code: 'custom',
            path: ['expectedVersion'],
            message: 'only with checkoutId: a new cart has no version to expect',
          });
        }
      }),
    output: StepOutputSchema,
    annotations: CART_CHANGE,
  } satisfies ToolDefinition;

  const removeFromCart = {
    name: CHECKOUT_TOOL_NAMES.removeFromCart,
    title: 'Remove from cart',
    description:
      "Removes a product's line from a cart, its whole quantity. A prepared cart reopens and " +
      'needs prepare_checkout again. Only carts not yet paying take it.',
    input: z.strictObject({
      checkoutId: CheckoutIdArgument,
      productId: ProductIdArgument,
      expectedVersion: ExpectedVersionArgument.optional(),
      idempotencyKey: IdempotencyKeyArgument.optional(),
    }),
    output: StepOutputSchema,
    annotations: { ...CART_CHANGE, destructiveHint: true },
  } satisfies ToolDefinition;

  const prepareCheckout = {
    name: CHECKOUT_TOOL_NAMES.prepareCheckout,
    title: 'Prepare checkout',
    description:
      "Re-prices every line from current facts and asks the merchant's rules whether the cart " +
      'can be bought in its context (stock, prices, the policies the merchant requires). ' +
      'Applied: state ready_for_payment, and preparedTotal is the amount a payment must match. ' +
      'Refused (outcome refused): nothing changes and decision.blockers say why and what would ' +
      'lift each. Prepare again after any change to the cart.',
    input: z.strictObject({
      checkoutId: CheckoutIdArgument,
      expectedVersion: ExpectedVersionArgument.optional(),
      idempotencyKey: IdempotencyKeyArgument.optional(),
    }),
    output: StepOutputSchema,
    annotations: CART_CHANGE,
  } satisfies ToolDefinition;

  const signCheckout = {
    name: CHECKOUT_TOOL_NAMES.signCheckout,
    title: 'Sign a prepared checkout for an AP2 mandate',
    description:
      'The merchant signs a prepared checkout (state ready_for_payment) so the buyer can ' +
      'authorize paying it with AP2 mandates: answers the checkout JWT (the checkout, signed ' +
      'ES256 by the merchant), its checkoutHash, and the audience and nonce the closing mandate ' +
      'must be bound to. Each call replaces the last: mandates bind to the checkout as last ' +
      'signed. Then call complete_checkout with ap2.',
    input: z.strictObject({ checkoutId: CheckoutIdArgument }),
    output: z.strictObject({
      checkoutJwt: z.string().describe('The merchant-signed checkout JWT (checkout_jwt).'),
      checkoutHash: z.string().describe('base64url sha-256 of checkoutJwt (checkout_hash).'),
      nonce: z.string().describe('The nonce the closing mandate must carry.'),
      audience: z.string().describe('The aud the closing mandate must carry: the merchant id.'),
      expiresAt: z.string().describe('When the checkout JWT stops binding a mandate.'),
      version: z.number().int().describe('The checkout version it was signed at.'),
    }),
    // Replaces the previous signature (a mandate over it can no longer pay); nothing leaves.
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    },
  } satisfies ToolDefinition;

  const completeCheckout = {
    name: CHECKOUT_TOOL_NAMES.completeCheckout,
    title: 'Pay for a prepared checkout',
    description:
      'Delegates payment of a prepared checkout (state ready_for_payment) with an ACP ' +
      'delegate-payment allowance from the buyer. The merchant judges the allowance as ' +
      'payment authority (merchant, checkout session, limit, currency, expiry) and the cart ' +
      'again, as made by the agent behind this connection. Applied, the payment starts (state ' +
      'completing) and goes on without further calls: stock reserved, payment authorized and ' +
      'captured, receipt issued, then state completed with an orderId, or back to ' +
      'ready_for_payment with checkout.problem saying why. Follow it with get_checkout. ' +
      'Refused (outcome refused), nothing is charged and decision.blockers say why. Send ' +
      'exactly one payment authority: an ACP allowance, or AP2 mandates (ap2) signed over the ' +
      'checkout JWT sign_checkout gave, which the merchant verifies before judging them.',
    input: z.strictObject({
      checkoutId: CheckoutIdArgument,
      ap2: z
        .strictObject({
          checkout_mandate: z
            .string()
            .min(1)
            .max(65_536)
            .describe('The AP2 checkout mandate: an SD-JWT, or open ~~ closed delegation chain.'),
          payment_mandate: z
            .string()
            .min(1)
            .max(65_536)
            .describe('The AP2 payment mandate, in the same form.'),
        })
        .optional()
        .describe(
          "AP2 v0.2 mandates instead of an allowance: checkout_hash (and the payment's " +
            'transaction_id) the hash of the checkout JWT from sign_checkout, the closing hop ' +
            'bound to its audience and nonce.',
        ),
      allowance: AllowanceSchema.optional().describe(
        'The ACP (2026-04-17) Allowance: reason one_time; max_amount in minor units, at least ' +
          'checkout.preparedTotal.amount; currency lower case (eur); checkout_session_id this ' +
          "checkoutId; merchant_id this merchant's id; expires_at an RFC 3339 instant.",
      ),
      allowanceRef: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe(
          "The delegated payment token's id (ACP vault token), when there is one: it names the " +
            'authority in the decision evidence.',
        ),
      expectedVersion: ExpectedVersionArgument.optional(),
      idempotencyKey: IdempotencyKeyArgument.optional(),
    }),
    output: StepOutputSchema,
    // Charges the buyer and reaches the merchant's reservation, payment and receipt providers.
    annotations: { ...CART_CHANGE, destructiveHint: true, openWorldHint: true },
  } satisfies ToolDefinition;

  const cancelCheckout = {
    name: CHECKOUT_TOOL_NAMES.cancelCheckout,
    title: 'Cancel a checkout',
    description:
      'Cancels a checkout that has not completed: a cart, a prepared checkout, or one whose ' +
      'payment is still running (what was already reserved or authorized is released, and a ' +
      'capture that lands afterwards is refunded). Completed, canceled and expired checkouts ' +
      'do not take it.',
    input: z.strictObject({
      checkoutId: CheckoutIdArgument,
      expectedVersion: ExpectedVersionArgument.optional(),
      idempotencyKey: IdempotencyKeyArgument.optional(),
    }),
    output: StepOutputSchema,
    // Final, and a running payment is released or refunded at the providers.
    annotations: { ...CART_CHANGE, destructiveHint: true, openWorldHint: true },
  } satisfies ToolDefinition;

  const getCheckout = {
    name: CHECKOUT_TOOL_NAMES.getCheckout,
    title: 'Read a checkout',
    description:
      'The checkout as it stands: state, version, lines, totals in minor units, payments, ' +
      'problem and nextActions. After complete_checkout, read it until state is completed (or ' +
      'ready_for_payment again, with problem saying why).',
    input: z.strictObject({ checkoutId: CheckoutIdArgument }),
    output: GetCheckoutOutputSchema,
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  } satisfies ToolDefinition;

  return {
    /** The context a cart opened without one gets: the first region, consumer, agent. */
    defaultContext: context.parse({}),
    createCart,
    addToCart,
    removeFromCart,
    prepareCheckout,
    signCheckout,
    completeCheckout,
    cancelCheckout,
    getCheckout,
  };
}
