import type { EvaluationContext } from '../../domain/index.js';
import { sessionContextOf } from './session-context.js';
import type { AcpMessageError } from './session-messages.js';
import { STANDARD_SHIPPING } from './session-projection.js';
import type { UpdateSessionRequest } from './session-request.js';

/**
 * Messages about what a request asks for that no decision of the domain was asked about: a
 * fulfillment option we do not offer, an address in another region than the session's (its
 * context is fixed when it opens), a payment credential that is no delegated token.
 */

const PAYMENT_TOKEN_PARAM = '$.payment_data.instrument.credential.token';

export function updateMessages(
  context: EvaluationContext,
  body: UpdateSessionRequest,
): AcpMessageError[] {
  const messages: AcpMessageError[] = [];
  body.selected_fulfillment_options?.forEach((option, index) => {
    if (option.option_id === STANDARD_SHIPPING.id) return;
    messages.push({
      type: 'error',
      code: 'invalid',
      severity: 'high',
      resolution: 'recoverable',
      param: `$.selected_fulfillment_options[${index}].option_id`,
      content_type: 'plain',
      content: `No fulfillment option ${option.option_id}; choose one of fulfillment_options.`,
    });
  });
  const region = sessionContextOf(body, context).region;
  if (region !== context.region) {
    messages.push({
      type: 'error',
      code: 'unsupported',
      severity: 'high',
      resolution: 'requires_buyer_input',
      param: '$.fulfillment_details.address.country',
      content_type: 'plain',
      content: `This session sells to region ${context.region}; for an address in ${region}, create a new checkout session.`,
    });
  }
  return messages;
}

export function paymentMessage(code: 'invalid' | 'unsupported', content: string): AcpMessageError {
  return {
    type: 'error',
    code,
    severity: 'high',
    resolution: 'requires_buyer_review',
    param: PAYMENT_TOKEN_PARAM,
    content_type: 'plain',
    content,
  };
}
