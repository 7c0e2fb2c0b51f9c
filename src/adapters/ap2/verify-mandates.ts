import type { MandateProofFailure, MandateReuse } from '../../domain/index.js';
import { type VerifiedChain, verifyChain } from './chain.js';
import { evaluateConstraints } from './constraints.js';
import { Ap2Refusal, refuse } from './failures.js';
import { reuseOf } from './reuse.js';
import { digestOf, isObject, type JsonObject, jwsPayloadOf, sameJson } from './sd-jwt.js';
import type { IssuerTrust } from './trust.js';

/**
 * Verifies the AP2 v0.2 mandates an agent presents to pay a checkout, every step of the merchant
 * side: each chain's signatures, disclosures, bindings and times (chain.ts); the mandate types;
 * the open mandate's fixed claims unchanged in the closed one; every open constraint evaluated
 * (an unknown one fails); `checkout_hash` (and the payment's `transaction_id`) equal to the hash
 * of the checkout JWT we issued; the amount equal to the checkout total and the payee us. It
 * reads no store: replay is the caller's (the checkout version the JWT was issued at).
 */

export interface Ap2Presentation {
  checkoutMandate: string;
  paymentMandate: string;
}

export interface Ap2VerificationContext {
  trust: IssuerTrust;
  audience: string;
  /** The nonce we issued for the closing binding; undefined where none was (UCP's extension). */
  nonce: string | undefined;
  nowMs: number;
  skewSeconds: number;
  merchant: { id: string; name: string; website?: string };
  checkout: CheckoutBinding;
  total: { amount: number; currency: string };
}

/**
 * The merchant-signed checkout a mandate must bind to. `issued`: the checkout JWT we issued and
 * kept (the checkout API, A2A, MCP); a disclosed `checkout_jwt` must be that one. `embedded`
 * (UCP's AP2 extension, which keeps nothing): the mandate must disclose the checkout it was
 * signed over, and `accept` proves it ours and current, answering its payload or refusing.
 */
export type CheckoutBinding =
  | { kind: 'issued'; checkoutJwt: string }
  | { kind: 'embedded'; accept(checkoutJwt: string): Promise<JsonObject> };

export interface VerifiedAp2Mandate {
  /** base64url sha-256 of the closing payment mandate token: the receipt's `reference`. */
  reference: string;
  /** The closing bindings' nonces and jtis. */
  replayKeys: string[];
  checkoutHash: string;
  payee: { id: string; name: string };
  amount: { amount: number; currency: string };
  instrument?: { id: string; type: string };
  expiresAtMs: number;
  humanPresent: boolean;
  /** What the open payment mandate allows across payments (budget, recurrence), if it limits. */
  reuse?: MandateReuse;
}

export type Ap2Verification =
  | { ok: true; mandate: VerifiedAp2Mandate }
  | { ok: false; failure: MandateProofFailure; detail: string; reference?: string };

const MANDATE_TYPES = {
  checkout: { open: 'mandate.checkout.open.1', closed: 'mandate.checkout.1' },
  payment: { open: 'mandate.payment.open.1', closed: 'mandate.payment.1' },
} as const;

/** Claims an open mandate holds that are about the mandate itself, not fixed for the closed one. */
const MANDATE_OWN_CLAIMS = new Set(['vct', 'constraints', 'cnf', 'iat', 'exp', 'nbf']);

/** The open content (when delegated) and the closed content of one verified chain. */
function openAndClosed(chain: VerifiedChain, kind: keyof typeof MANDATE_TYPES, label: string) {
  const types = MANDATE_TYPES[kind];
  const closed = chain.contents[chain.contents.length - 1] as JsonObject;
  if (chain.contents.length === 1 && closed.vct === types.open)
    refuse('open_mandate_alone', `${label} is open: the agent must close it for this checkout`);
  if (closed.vct !== types.closed)
    refuse('wrong_mandate_type', `${label} is ${String(closed.vct)}, not ${types.closed}`);
  const opens = chain.contents.slice(0, -1);
  for (const open of opens) {
    if (open.vct !== types.open)
      refuse(
        'wrong_mandate_type',
        `${label}'s delegated mandate is ${String(open.vct)}, not ${types.open}`,
      );
    for (const [claim, value] of Object.entries(open)) {
      if (MANDATE_OWN_CLAIMS.has(claim)) continue;
      if (!sameJson(closed[claim], value))
        refuse('claims_changed', `${label}: the closed mandate changes ${claim}`);
    }
  }
  return { opens, closed };
}

/** The checkout JWT the mandate binds to, and its payload. */
async function boundCheckout(binding: CheckoutBinding, closed: JsonObject) {
  const disclosed = closed.checkout_jwt;
  if (binding.kind === 'issued') {
    if (disclosed !== undefined && disclosed !== binding.checkoutJwt)
      refuse(
        'checkout_hash_mismatch',
        'the checkout mandate discloses another checkout JWT than ours',
      );
    return { checkoutJwt: binding.checkoutJwt, claims: jwsPayloadOf(binding.checkoutJwt) };
  }
  if (typeof disclosed !== 'string')
    refuse(
      'checkout_hash_mismatch',
      'the checkout mandate does not disclose the checkout it was signed over (checkout_jwt)',
    );
  return { checkoutJwt: disclosed, claims: await binding.accept(disclosed) };
}

async function verify(
  p: Ap2Presentation,
  ctx: Ap2VerificationContext,
): Promise<VerifiedAp2Mandate> {
  const expectations = {
    issuerKey: ctx.trust,
    audience: ctx.audience,
    nonce: ctx.nonce,
    nowS: Math.floor(ctx.nowMs / 1000),
    skewS: ctx.skewSeconds,
  };
  const checkoutChain = await verifyChain(p.checkoutMandate, expectations, 'the checkout mandate');
  const paymentChain = await verifyChain(p.paymentMandate, expectations, 'the payment mandate');
  const checkout = openAndClosed(checkoutChain, 'checkout', 'the checkout mandate');
  const payment = openAndClosed(paymentChain, 'payment', 'the payment mandate');

  const sdAlg =
    typeof checkoutChain.root.payload._sd_alg === 'string'
      ? checkoutChain.root.payload._sd_alg
      : undefined;
  const bound = await boundCheckout(ctx.checkout, checkout.closed);
  const checkoutHash = digestOf(bound.checkoutJwt, sdAlg);
  if (checkout.closed.checkout_hash !== checkoutHash)
    refuse(
      'checkout_hash_mismatch',
      'the checkout mandate was signed over another checkout than the one we issued',
    );
  if (payment.closed.transaction_id !== checkoutHash)
    refuse(
      'checkout_hash_mismatch',
      'the payment mandate is for another checkout (transaction_id)',
    );

  const amount = payment.closed.payment_amount;
  if (
    !isObject(amount) ||
    amount.amount !== ctx.total.amount ||
    String(amount.currency).toUpperCase() !== ctx.total.currency.toUpperCase()
  )
    refuse(
      'amount_mismatch',
      `${JSON.stringify(amount)} is not the checkout total ${ctx.total.amount} ${ctx.total.currency}`,
    );
  const payee = payment.closed.payee;
  const ours = ctx.merchant;
  if (
    !isObject(payee) ||
    (typeof payee.id === 'string' ? payee.id !== ours.id : payee.name !== ours.name)
  )
    refuse('payee_mismatch', `the payee ${JSON.stringify(payee)} is not ${ours.id}`);

  const checkoutClaims = bound.claims;
  const openCheckoutHash = digestOf(checkoutChain.root.sdJwt, sdAlg);
  for (const open of checkout.opens)
    evaluateConstraints(
      open,
      { closed: checkout.closed, checkout: checkoutClaims, merchant: ours, openCheckoutHash },
      'the checkout mandate',
    );
  for (const open of payment.opens)
    evaluateConstraints(
      open,
      { closed: payment.closed, checkout: checkoutClaims, merchant: ours, openCheckoutHash },
      'the payment mandate',
    );

  const instrument = payment.closed.payment_instrument;
  const amountPaid = { amount: ctx.total.amount, currency: ctx.total.currency.toUpperCase() };
  // Counted for a year when no open mandate says how long it holds.
  const reuse = reuseOf(
    payment.opens,
    `ap2:open:${digestOf(paymentChain.root.sdJwt)}`,
    amountPaid,
    ctx.nowMs + 366 * 86_400_000,
  );
  const exps = [checkoutChain.expS, paymentChain.expS].filter(
    (exp): exp is number => exp !== undefined,
  );
  return {
    reference: digestOf(paymentChain.closing),
    replayKeys: [...new Set([...checkoutChain.oneTime, ...paymentChain.oneTime])],
    checkoutHash,
    payee: { id: ours.id, name: ours.name },
    amount: amountPaid,
    ...(isObject(instrument) &&
    typeof instrument.id === 'string' &&
    typeof instrument.type === 'string'
      ? { instrument: { id: instrument.id, type: instrument.type } }
      : {}),
    // Without an exp anywhere, the mandate holds as long as the checkout JWT it binds to.
    expiresAtMs:
      exps.length > 0 ? Math.min(...exps) * 1000 : Number(checkoutClaims.exp ?? 0) * 1000,
    humanPresent: checkoutChain.contents.length === 1 && paymentChain.contents.length === 1,
    ...(reuse === undefined ? {} : { reuse }),
  };
}

/** Verifies; a refusal is a result naming the failure, never a thrown error. */
export async function verifyAp2Mandates(
  presentation: Ap2Presentation,
  ctx: Ap2VerificationContext,
): Promise<Ap2Verification> {
  try {
    return { ok: true, mandate: await verify(presentation, ctx) };
  } catch (error) {
    if (error instanceof Ap2Refusal)
      return { ok: false, failure: error.failure, detail: error.detail };
    return {
      ok: false,
      failure: 'malformed',
      detail: `the mandates could not be read (${(error as Error).message})`,
    };
  }
}
