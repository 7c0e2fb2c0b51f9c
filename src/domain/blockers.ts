import type { PolicyDomain } from './policy.js';

/**
 * Every blocker and warning code the domain can return, with the words an operator and an agent
 * see. `{name}` placeholders are filled from the blocker's params. Codes are only ever added;
 * a retired code is listed in RETIRED_BLOCKER_CODES and never reused.
 */
export const BLOCKERS = {
  PRODUCT_UNKNOWN: {
    message: 'No product {productId} is known.',
    nextAction: 'Ingest the product facts for {productId}.',
  },
  PRODUCT_INACTIVE: {
    message: 'The product is not active in the catalog (status {status}).',
    nextAction: 'Activate the product in the catalog, or leave it out of agent channels.',
  },
  PRICE_MISSING: {
    message: 'No price fact is known for this product.',
    nextAction: 'Publish a price for the product.',
  },
  PRICE_STALE: {
    message: 'The price fact expired at {expiredAt}.',
    nextAction: 'Revalidate the price with the pricing source.',
  },
  INVENTORY_MISSING: {
    message: 'No inventory fact is known for this product.',
    nextAction: 'Publish an inventory level for the product.',
  },
  INVENTORY_STALE: {
    message: 'The inventory fact expired at {expiredAt}.',
    nextAction: 'Revalidate inventory with the warehouse system.',
  },
  OUT_OF_STOCK: {
    message: 'The product is out of stock.',
    nextAction: 'Restock the product or wait for the next inventory update.',
  },
  RETURN_POLICY_MISSING: {
    message: 'No active return-policy fact applies to {category} for this buyer context.',
    nextAction: 'Attach or approve return-policy coverage for {category}.',
  },
  SHIPPING_POLICY_MISSING: {
    message: 'No active shipping-policy fact applies to {category} in region {region}.',
    nextAction: 'Add shipping coverage for {region}, or explicitly exclude {region}.',
  },
  WARRANTY_POLICY_MISSING: {
    message: 'No active warranty-policy fact applies to {category} for this buyer context.',
    nextAction: 'Attach or approve warranty coverage for {category}.',
  },
  CANCELLATION_POLICY_MISSING: {
    message: 'No active cancellation-policy fact applies to {category} for this buyer context.',
    nextAction: 'Attach or approve cancellation coverage for {category}.',
  },
  POLICY_CONFLICT: {
    message: 'Active {domain} policy facts {policyIds} apply here and disagree.',
    nextAction: 'Retire or narrow one of the conflicting {domain} policies: {policyIds}.',
  },
  POLICY_NOT_QUOTEABLE: {
    message: 'The {domain} policy that applies may not be quoted to agents.',
    nextAction: 'Mark the {domain} policy quoteable once legal has approved agent quotation.',
  },
  POLICY_PENDING_APPROVAL: {
    message: 'The {domain} policy that would apply is pending approval.',
    nextAction: 'Review and approve the {domain} policy {policyIds}.',
  },
  REGION_RESTRICTED: {
    message: 'Shipping to region {region} is explicitly excluded for {category}.',
    nextAction: 'Nothing to fix if intended; otherwise lift the {region} exclusion.',
  },
  GENERATED_CLAIMS_PENDING_REVIEW: {
    message: 'The generated product description is pending review and is not published.',
    nextAction: 'Review the generated product description.',
  },
  GENERATED_CLAIMS_BLOCKED: {
    message: 'The generated product description was rejected and is not published.',
    nextAction: 'Rewrite or remove the generated product description.',
  },
  CHECKOUT_NOT_READY: {
    message: 'Checkout cannot be prepared, so payment cannot be delegated.',
    nextAction: 'Resolve the prepare_checkout blockers first.',
  },
  AUTHORITY_CHECKED_PER_REQUEST: {
    message: 'A payment mandate is checked on each delegate_payment request.',
    nextAction: 'Send a mandate or allowance with the request.',
  },
  AUTHORITY_MISSING: {
    message: 'No payment mandate or allowance accompanies the request.',
    nextAction: 'Obtain a payment mandate from the buyer.',
  },
  MANDATE_EXPIRED: {
    message: 'The payment mandate expired at {expiresAt}.',
    nextAction: 'Ask the buyer for a new mandate.',
  },
  MANDATE_REVOKED: {
    message: 'The payment mandate was revoked.',
    nextAction: 'Ask the buyer for a new mandate.',
  },
  MANDATE_SCOPE_MISMATCH: {
    message: 'The mandate does not cover {outOfScope}.',
    nextAction: 'Ask for a mandate whose scope covers the cart.',
  },
  CART_SNAPSHOT_MISMATCH: {
    message: 'The mandate was issued for a different cart than the one being paid.',
    nextAction: 'Have the buyer confirm the current cart and issue a new mandate.',
  },
  AMOUNT_EXCEEDS_LIMIT: {
    message: 'The total {total} exceeds the mandate limit {limit}.',
    nextAction: 'Reduce the cart or ask for a mandate with a higher limit.',
  },
  CURRENCY_MISMATCH: {
    message: 'The mandate is in {mandateCurrency}, the checkout in {checkoutCurrency}.',
    nextAction: 'Ask for a mandate in the checkout currency.',
  },
  MERCHANT_MISMATCH: {
    message: 'The mandate names merchant {mandateMerchant}, not this merchant.',
    nextAction: 'Ask for a mandate issued to this merchant.',
  },
  CHECKOUT_SESSION_MISMATCH: {
    message: 'The mandate is bound to checkout session {mandateCheckout}, not {checkoutId}.',
    nextAction: 'Ask for a mandate bound to this checkout session.',
  },
  CHECKOUT_SESSION_INVALID: {
    message: 'The checkout session is {state}, not ready for payment.',
    nextAction: 'Prepare the checkout again before delegating payment.',
  },
  HUMAN_CONFIRMATION_REQUIRED: {
    message: 'The mandate requires a human confirmation that has not been given.',
    nextAction: 'Ask the buyer to confirm the purchase.',
  },
  ACTOR_NOT_ALLOWED: {
    message: 'Actor {actorId} may not use this mandate.',
    nextAction: 'Send the request as an actor the mandate names.',
  },
  MANDATE_AMOUNT_NOT_POSITIVE: {
    message: 'The mandate allows at most {maxAmount} minor units; nothing can be paid with it.',
    nextAction: 'Ask for a mandate whose maximum amount is above zero.',
  },
  MANDATE_LIFETIME_TOO_LONG: {
    message: 'The mandate expires at {expiresAt}, later than the latest accepted {latestAt}.',
    nextAction: 'Ask for a mandate that expires by {latestAt}.',
  },
  INSTRUMENT_EXPIRED: {
    message: 'The payment instrument expired at the end of {expiry}.',
    nextAction: 'Ask the buyer for a payment instrument that has not expired.',
  },
  RISK_BLOCKED: {
    message: 'A risk assessment ({assessment}) recommends blocking this payment instrument.',
    nextAction: 'Do not retry with this instrument; ask the buyer for another one.',
  },
  ILLEGAL_TRANSITION: {
    message: 'A checkout in state {from} cannot {event}.',
    nextAction: 'Read the checkout state and send an action it allows: {allowed}.',
  },
  CART_VERSION_CONFLICT: {
    message: 'The cart is at version {currentVersion}, the request expected {expectedVersion}.',
    nextAction: 'Reload the cart and retry against the current version.',
  },
  AMOUNT_MISMATCH: {
    message: 'The total is now {current}; the checkout was prepared at {prepared}.',
    nextAction: 'Prepare the checkout again to accept the current total.',
  },
  CART_EMPTY: {
    message: 'The cart has no lines.',
    nextAction: 'Add an item before preparing the checkout.',
  },
  CART_CURRENCY_MIXED: {
    message: 'The cart is in {cartCurrency}; {productId} is priced in {currency}.',
    nextAction: 'Keep one currency per cart: start another cart for {currency} items.',
  },
  PAYMENT_TRANSITION_REFUSED: {
    message: 'A payment in state {from} cannot {event}.',
    nextAction: 'Read the payment state and send an action it allows: {allowed}.',
  },
  REFUND_EXCEEDS_CAPTURED: {
    message: 'The refund {requested} exceeds the {refundable} still refundable.',
    nextAction: 'Refund at most what was captured and not yet refunded.',
  },
  RESERVATION_UNCONFIRMED: {
    message: 'The inventory service did not answer the reservation before its retries ran out.',
    nextAction: 'Complete the checkout again: any stock held was released and nothing was charged.',
  },
  AUTHORIZATION_UNCONFIRMED: {
    message: 'The payment provider did not answer the authorization before its retries ran out.',
    nextAction:
      'Complete the checkout again: any authorization is being voided and nothing was charged.',
  },
  CAPTURE_UNCONFIRMED: {
    message:
      'The payment provider has not confirmed the capture yet; the buyer may have been charged.',
    nextAction:
      'Do not pay again: the capture is retried under the same key until the provider answers; the checkout then completes or reopens.',
  },
  MANDATE_MALFORMED: {
    message: 'The payment mandate could not be read: {detail}.',
    nextAction: 'Present the mandate as an AP2 SD-JWT (or chain of them) again.',
  },
  MANDATE_SIGNATURE_INVALID: {
    message: 'A signature of the payment mandate does not verify: {detail}.',
    nextAction:
      'Present a mandate signed by its issuer and, for a delegated one, by the agent key it names.',
  },
  MANDATE_ISSUER_UNTRUSTED: {
    message: "The payment mandate's issuer is not trusted here: {detail}.",
    nextAction: "Present a mandate from an issuer in this merchant's trust list.",
  },
  MANDATE_NOT_YET_VALID: {
    message: 'The payment mandate is not valid yet: {detail}.',
    nextAction: "Present the mandate once it is valid, or check the agent's clock.",
  },
  MANDATE_AUDIENCE_MISMATCH: {
    message: 'The payment mandate is bound to another audience: {detail}.',
    nextAction: 'Bind the closed mandate to this merchant (its aud).',
  },
  MANDATE_NONCE_MISMATCH: {
    message: 'The payment mandate is bound to another nonce: {detail}.',
    nextAction: 'Bind the closed mandate to the nonce this checkout issued.',
  },
  MANDATE_BINDING_INVALID: {
    message: 'The closed mandate is not bound to the mandate it closes: {detail}.',
    nextAction: 'Close the open mandate the chain presents (its sd_hash).',
  },
  MANDATE_TAMPERED: {
    message: 'A disclosure of the payment mandate was altered or added: {detail}.',
    nextAction: 'Present the mandate with its disclosures as issued.',
  },
  MANDATE_NOT_CLOSED: {
    message:
      'An open mandate was presented without the closed mandate that binds it to this checkout: {detail}.',
    nextAction: 'Have the agent close the open mandate for this checkout and present both.',
  },
  MANDATE_CLAIMS_CHANGED: {
    message: 'The closed mandate changes what the open mandate fixed: {detail}.',
    nextAction: 'Close the open mandate without changing its fixed claims.',
  },
  MANDATE_CHECKOUT_MISMATCH: {
    message:
      'The mandate was issued for another checkout than the one this merchant signed: {detail}.',
    nextAction: 'Sign a mandate over the checkout JWT this checkout issued.',
  },
  MANDATE_MERCHANT_AUTHORIZATION_INVALID: {
    message: 'The checkout the mandate carries is not signed by this merchant: {detail}.',
    nextAction:
      'Sign the mandate over the checkout exactly as this merchant answered it, merchant_authorization included.',
  },
  MANDATE_AMOUNT_MISMATCH: {
    message: 'The mandate pays {detail}, not the checkout total.',
    nextAction: 'Present a payment mandate for exactly the checkout total.',
  },
  MANDATE_PAYEE_MISMATCH: {
    message: 'The mandate pays another payee: {detail}.',
    nextAction: 'Present a payment mandate naming this merchant as payee.',
  },
  MANDATE_CONSTRAINT_UNKNOWN: {
    message: 'The mandate carries a constraint this merchant cannot evaluate: {detail}.',
    nextAction: 'Present a mandate whose constraints are all AP2 constraint types.',
  },
  MANDATE_TYPE_INVALID: {
    message: 'The credential is not the mandate expected here: {detail}.',
    nextAction:
      'Present a checkout mandate and a payment mandate (vct mandate.checkout / mandate.payment).',
  },
  MANDATE_REPLAYED: {
    message: 'This mandate was already used: {detail}.',
    nextAction: 'Have the agent close a new mandate for this checkout.',
  },
} as const satisfies Record<string, { message: string; nextAction: string }>;

export type BlockerCode = keyof typeof BLOCKERS;

/** Codes that once existed and must never be reused for another meaning. */
export const RETIRED_BLOCKER_CODES: readonly string[] = [];

export type BlockerParams = Readonly<Record<string, string | number>>;

function fill(template: string, params: BlockerParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export interface Blocker {
  code: BlockerCode;
  message: string;
  nextAction: string;
  params?: BlockerParams;
}

export function blocker(code: BlockerCode, params: BlockerParams = {}): Blocker {
  const entry = BLOCKERS[code];
  const built: Blocker = {
    code,
    message: fill(entry.message, params),
    nextAction: fill(entry.nextAction, params),
  };
  if (Object.keys(params).length > 0) built.params = params;
  return built;
}

export const POLICY_MISSING_CODE: Readonly<Record<PolicyDomain, BlockerCode>> = {
  returns: 'RETURN_POLICY_MISSING',
  shipping: 'SHIPPING_POLICY_MISSING',
  warranty: 'WARRANTY_POLICY_MISSING',
  cancellation: 'CANCELLATION_POLICY_MISSING',
};
