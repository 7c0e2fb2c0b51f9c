import { ACTION_NAMES, WATCH_ACTION_NAMES } from './action-vocabulary.js';

/**
 * What the agent says when a message holds no request: the status message of a task in
 * `input_required`, in words (a text part) and by example (a data part the caller may copy).
 * The adapter only asks; it never guesses a request from free text.
 */

/** A complete request, valid as it stands: the data part of the prompt. */
export const EXAMPLE_REQUEST = {
  action: 'get_return_terms',
  productId: 'BAG-TRAVEL-42',
  country: 'DE',
  buyerType: 'consumer',
} as const;

export const INPUT_PROMPT = [
  'I answer one request per message, written as a JSON object: send it as a data part',
  '(application/json) or as the text of the message.',
  `Its "action" is one of ${ACTION_NAMES.join(', ')};`,
  'product questions also name "productId", "country" (ISO 3166-1 alpha-2, e.g. DE) and',
  '"buyerType" (consumer or business); add_to_cart names "productId" and "quantity",',
  'prepare_checkout a "cartId", delegate_payment a "checkoutId" and an ACP "allowance" or AP2 mandates ("ap2").',
  `Reply on this task (same taskId and contextId), for example with ${JSON.stringify(EXAMPLE_REQUEST)}.`,
  `To hear when decisions change instead, send ${WATCH_ACTION_NAMES.join(', ')} in a new message`,
  '(the product-watch skill).',
].join(' ');
