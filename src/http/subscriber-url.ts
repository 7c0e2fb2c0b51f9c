import { isPublicAddress, literalAddressOf } from './ucp/address-guard.js';

/**
 * Where decision events may be sent, the one rule every ingress that stores a subscription
 * applies (the REST route and the A2A product watch). In production a subscriber is reached over
 * https and never at loopback, a private network or any other non-public address written as a
 * literal or as `localhost` (a name that resolves there is refused when connecting, as every
 * outbound call of ours is). Outside production a loopback receiver is what a developer runs.
 * Answers the problem with the url, without the field name: each ingress names the field its way.
 */
export function subscriberUrlProblem(url: string, production: boolean): string | undefined {
  if (!production) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return 'must be https in production';
  const literal = literalAddressOf(parsed);
  const host = parsed.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this machine';
  if (literal !== undefined && !isPublicAddress(literal))
    return `${literal} is not a public address`;
  return undefined;
}
