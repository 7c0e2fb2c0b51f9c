/**
 * The claims of a checkout receipt (AP2 `checkout_receipt.json`), answering a presented mandate
 * on success and on refusal; the signer adds `iss` and `iat`. `reference` is the hash of the
 * closed mandate it answers, so an agent can tie the receipt to what it presented.
 */
export type CheckoutReceiptClaims =
  | { status: 'Success'; reference: string; order_id: string }
  | { status: 'Error'; reference: string; error: string; error_description: string };

/** AP2's action authorization errors (agent_authorization.md, "Errors"). */
export type Ap2ReceiptError =
  | 'invalid_credential'
  | 'unresolved_constraint'
  | 'invalid_mandate'
  | 'mandates_not_supported';

/**
 * Which AP2 error a refusal is: a mandate that did not verify is `invalid_credential`, one whose
 * constraints could not be evaluated `unresolved_constraint`, and one that verified but does not
 * approve this payment (the domain refused it) `invalid_mandate`.
 */
export const RECEIPT_ERROR_OF_FAILURE: Readonly<Record<string, Ap2ReceiptError>> = {
  unknown_constraint: 'unresolved_constraint',
  constraint_violated: 'invalid_mandate',
  checkout_hash_mismatch: 'invalid_mandate',
  amount_mismatch: 'invalid_mandate',
  payee_mismatch: 'invalid_mandate',
  replayed: 'invalid_mandate',
};

export function receiptErrorOf(failure: string | undefined): Ap2ReceiptError {
  if (failure === undefined) return 'invalid_mandate';
  return RECEIPT_ERROR_OF_FAILURE[failure] ?? 'invalid_credential';
}

export function successReceipt(reference: string, orderId: string): CheckoutReceiptClaims {
  return { status: 'Success', reference, order_id: orderId };
}

export function errorReceipt(
  reference: string,
  error: Ap2ReceiptError,
  description: string,
): CheckoutReceiptClaims {
  return { status: 'Error', reference, error, error_description: description };
}
