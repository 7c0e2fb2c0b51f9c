import { createHash } from 'node:crypto';
import type { IntentAnswer } from '../../domain/index.js';
import {
  type CommerceIntent,
  CommerceIntentSchema,
  type CurrencyCode,
  canonicalJson,
  toInstant,
} from '../../domain/index.js';
import { mandateOfAllowance } from '../acp/to-mandate.js';
import { regionOfCountry } from './regions.js';
import type { CanonicalRequest } from './request-data.js';
import type { WatchRequest } from './watch-request.js';

/** Who sent the request: the tenant and a stable id of the credential that authenticated it. */
export interface Caller {
  tenant: string;
  callerId: string;
}

/**
 * The ids one message gets, all derived from (tenant, caller, message id): sending the same
 * message again, or twenty times at once, lands on the same task and the same job.
 */
export interface MessageIds {
  idempotencyKey: string;
  taskId: string;
  /** BullMQ job ids may not contain ':' nor be integers. */
  jobId: string;
}

export function idsOfMessage(caller: Caller, messageId: string): MessageIds {
  return idsOfSeed(
    caller.tenant,
    `a2a\u0000${caller.tenant}\u0000${caller.callerId}\u0000${messageId}`,
  );
}

/**
 * The ids of a follow-up message on an existing task (whose id it keeps): derived from the task
 * as well, so a message id reused on another task never lands on this one's job.
 */
export function idsOfFollowUp(
  caller: Caller,
  taskId: string,
  messageId: string,
): Omit<MessageIds, 'taskId'> {
  const { taskId: _unused, ...ids } = idsOfSeed(
    caller.tenant,
    `a2a-follow-up\u0000${caller.tenant}\u0000${caller.callerId}\u0000${taskId}\u0000${messageId}`,
  );
  return ids;
}

function idsOfSeed(tenant: string, seed: string): MessageIds {
  const hex = createHash('sha256').update(seed).digest('hex');
  // Shaped as an RFC 9562 version-8 UUID so clients that expect UUID task ids accept it.
  const variant = '89ab'[Number.parseInt(hex.charAt(16), 16) & 3];
  const taskId = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
  return { idempotencyKey: `a2a-${hex}`, taskId, jobId: `${tenant}-${hex.slice(0, 40)}` };
}

/** A fingerprint of what was asked, to refuse one message id reused for another request. */
export function requestHashOf(request: CanonicalRequest | WatchRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex').slice(0, 32);
}

export interface IntentInput {
  request: CanonicalRequest;
  caller: Caller;
  ids: Pick<MessageIds, 'idempotencyKey'>;
  contextId: string;
  nowMs: number;
}

/**
 * The canonical intent for a request: context normalised (country → region, channel agent),
 * actor and authority references kept, idempotency key derived. Nothing here decides; a
 * request for an unknown product or an unquoteable policy becomes an intent like any other.
 */
export function toIntent({ request, caller, ids, contextId, nowMs }: IntentInput): {
  intent: CommerceIntent;
  answer: IntentAnswer;
} {
  const intent: CommerceIntent = {
    action: request.action,
    context: { channel: 'agent' },
    actor: { actorId: caller.callerId, actorType: 'agent' },
    idempotencyKey: ids.idempotencyKey,
    correlationId: contextId,
    requestedAt: toInstant(nowMs),
  };
  if (request.country !== undefined) intent.context.region = regionOfCountry(request.country);
  if (request.buyerType !== undefined) {
    intent.context.buyerType = request.buyerType;
    intent.actor.buyerType = request.buyerType;
  }
  if (request.currency !== undefined) intent.context.currency = request.currency as CurrencyCode;
  if (request.buyerId !== undefined) intent.actor.buyerId = request.buyerId;
  if (request.authorityRef !== undefined) intent.actor.authorityRef = request.authorityRef;
  if (request.productId !== undefined) intent.productId = request.productId;
  if (request.quantity !== undefined) intent.quantity = request.quantity;
  if (request.cartId !== undefined) intent.cartId = request.cartId;
  if (request.checkoutId !== undefined) intent.checkoutId = request.checkoutId;
  if (request.policyDomain !== undefined) intent.policyDomain = request.policyDomain;
  // The one mapping of an ACP allowance, shared with the HTTP checkout routes.
  if (request.allowance !== undefined) intent.mandate = mandateOfAllowance(request.allowance);
  // Signed mandates travel as presented: the worker verifies them against the signed checkout.
  if (request.ap2 !== undefined)
    intent.presentedMandates = {
      scheme: 'ap2_sd_jwt',
      checkoutMandate: request.ap2.checkout_mandate,
      paymentMandate: request.ap2.payment_mandate,
    };
  // The schema is the contract with the worker; a failure here is our bug, not the caller's.
  return { intent: CommerceIntentSchema.parse(intent), answer: request.answer };
}
