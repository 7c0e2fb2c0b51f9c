import { parseDictionary } from 'structured-headers';
import { failed, type NegotiationStep } from './negotiation-failure.js';

/**
 * The platform profile URL of a request's `UCP-Agent` header (overview.md, "Platform
 * Advertisement on Request"): an RFC 8941 Dictionary whose `profile` member is a String holding
 * an absolute http(s) URL, `UCP-Agent: profile="https://agent.example/profile.json"`. Anything
 * else is `invalid_profile_url`. Whether plain http may be fetched is the fetcher's decision.
 */
export function profileUrlOf(
  header: string | readonly string[] | undefined,
): NegotiationStep<string, 'invalid_profile_url'> {
  // Repeated header lines combine with commas, as RFC 8941 §4.2 parses a Dictionary.
  const raw = typeof header === 'string' ? header : header?.join(', ');
  if (raw === undefined || raw.trim() === '')
    return failed('invalid_profile_url', 'the UCP-Agent header is missing');
  let dictionary: ReturnType<typeof parseDictionary>;
  try {
    dictionary = parseDictionary(raw);
  } catch {
    return failed('invalid_profile_url', 'the UCP-Agent header is not an RFC 8941 dictionary');
  }
  const member = dictionary.get('profile');
  if (member === undefined)
    return failed('invalid_profile_url', 'the UCP-Agent header has no profile member');
  const [value] = member;
  if (typeof value !== 'string')
    return failed('invalid_profile_url', 'the UCP-Agent profile member is not a string');
  if (!URL.canParse(value))
    return failed('invalid_profile_url', 'the UCP-Agent profile is not an absolute URL');
  const { protocol } = new URL(value);
  if (protocol !== 'https:' && protocol !== 'http:')
    return failed('invalid_profile_url', 'the UCP-Agent profile URL is not http(s)');
  return { ok: true, value };
}
