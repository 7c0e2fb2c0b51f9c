import type { EvaluationContext } from '../../domain/index.js';
// The one country → selling-region table; A2A and ACP both receive countries, not regions.
import { regionOfCountry } from '../a2a/regions.js';
import type { AcpBuyer, AcpFulfillmentDetails } from './session-request.js';

/**
 * What an ACP session request says about the context the domain decides for: the region from
 * the fulfillment address's country (the region of `fallback` when no address is sent yet), a
 * business buyer when the buyer says so, and always the agent channel. The adapter translates;
 * whether that region is served is the domain's call.
 */
export function sessionContextOf(
  request: {
    buyer?: AcpBuyer | undefined;
    fulfillment_details?: AcpFulfillmentDetails | undefined;
  },
  fallback: EvaluationContext,
): EvaluationContext {
  const country = request.fulfillment_details?.address?.country;
  const business =
    request.buyer?.account_type === 'business' || request.buyer?.company !== undefined;
  return {
    region: country === undefined ? fallback.region : regionOfCountry(country),
    buyerType: business ? 'business' : 'consumer',
    channel: 'agent',
  };
}

/** The spec's `Item` has no quantity: each entry is one unit, so an id sent twice is two. */
export function quantitiesOf(items: readonly { id: string }[]): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.id, (quantities.get(item.id) ?? 0) + 1);
  return quantities;
}
