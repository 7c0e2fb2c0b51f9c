import {
  type BlockerCode,
  type CheckoutRecord,
  cartTotal,
  multiplyMoney,
} from '../../domain/index.js';
import type { ProductBlocker } from '../../services/checkout/checkout-session-steps.js';
import {
  UCP_PAYMENT_STOPPED,
  type UcpMessageError,
  ucpMessagesOfBlockers,
} from './checkout-messages.js';
import { type UcpCheckoutStatus, ucpStatusOf } from './checkout-status.js';

/**
 * The UCP checkout (2026-04-08, `checkout.json`) of one checkout record: a projection, nothing
 * decided here. Lines, totals in minor units and the status come from the record (the domain's
 * cart arithmetic and state); `messages[]` from the blockers of the decisions the request was
 * answered on and from what the request itself got wrong.
 */

/** The `ucp` block of a checkout answer (negotiated capabilities and our payment handlers). */
export interface UcpCheckoutBlock {
  version: string;
  capabilities: Record<string, unknown[]>;
  payment_handlers: Record<string, unknown[]>;
}

export interface CheckoutInput {
  checkout: CheckoutRecord;
  blockers?: readonly ProductBlocker[];
  /** Messages about the request itself that no decision was asked about (an unknown token). */
  requestMessages?: readonly UcpMessageError[];
  ucp: UcpCheckoutBlock;
  /** The buyer's way back to the session on the merchant's side. */
  continueUrl: string;
  /** `order.permalink_url` of an order id. */
  permalinkOf(orderId: string): string;
  /** The currency a checkout without a priced line names (the catalog's). */
  fallbackCurrency: string;
  /** Codes used instead of a blocker's usual one (the AP2 extension's, once negotiated). */
  codeOf?: Partial<Record<BlockerCode, string>>;
}

interface Total {
  type: 'subtotal' | 'total';
  display_text: string;
  amount: number;
}

/** Exactly one subtotal and one total (totals.json): the domain prices items, nothing else. */
function totalsOf(amount: number): Total[] {
  return [
    { type: 'subtotal', display_text: 'Subtotal', amount },
    { type: 'total', display_text: 'Total', amount },
  ];
}

/** Terminal statuses carry no `continue_url` (checkout.md, "Continue URL"). */
const TERMINAL: ReadonlySet<UcpCheckoutStatus> = new Set(['completed', 'canceled']);

/**
 * What the buyer agrees to in a checkout: its id, currency, lines and totals, as every answer
 * shows them (and as a mandate under the AP2 extension must still find them).
 */
export function ucpCheckoutTerms(checkout: CheckoutRecord, fallbackCurrency: string) {
  const priced = cartTotal(checkout.lines);
  return {
    id: checkout.id,
    currency: priced.ok ? priced.total.currency : fallbackCurrency,
    line_items: checkout.lines.map((line) => ({
      id: line.productId,
      item: { id: line.productId, title: line.title, price: line.unitPrice.amount },
      quantity: line.quantity,
      totals: totalsOf(multiplyMoney(line.unitPrice, line.quantity).amount),
    })),
    totals: totalsOf(priced.ok ? priced.total.amount : 0),
  };
}

export function projectUcpCheckout(input: CheckoutInput) {
  const { checkout } = input;
  const lineIndex = new Map(checkout.lines.map((line, index) => [line.productId, index]));
  const lastFailure = checkout.lastFailure?.blocker;
  const blockers = [
    ...(input.blockers ?? []),
    ...(lastFailure === undefined ? [] : [{ blocker: lastFailure }]),
  ];
  const messages: UcpMessageError[] = [
    ...(input.requestMessages ?? []),
    ...(checkout.lastFailure !== null && lastFailure === undefined ? [UCP_PAYMENT_STOPPED] : []),
    ...ucpMessagesOfBlockers(blockers, (productId) => lineIndex.get(productId), input.codeOf),
  ];
  const status = ucpStatusOf(checkout.state, messages);
  const { id, currency, line_items, totals } = ucpCheckoutTerms(checkout, input.fallbackCurrency);
  return {
    ucp: { ...input.ucp, status: 'success' as const },
    id,
    status,
    currency,
    line_items,
    totals,
    ...(messages.length === 0 ? {} : { messages }),
    // We publish no legal links of our own (the merchant's site has them); an empty list says so.
    links: [],
    ...(TERMINAL.has(status) ? {} : { continue_url: input.continueUrl }),
    ...(checkout.state === 'completed' && checkout.orderId !== null
      ? { order: { id: checkout.orderId, permalink_url: input.permalinkOf(checkout.orderId) } }
      : {}),
  };
}
export type UcpCheckout = ReturnType<typeof projectUcpCheckout>;
