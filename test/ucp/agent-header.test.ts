import { describe, expect, it } from 'vitest';
import { profileUrlOf } from '../../src/adapters/ucp/agent-header.js';

const PROFILE = 'https://agent.example/profiles/shopping-agent.json';

describe('profileUrlOf (UCP-Agent)', () => {
  const accepted: [string, string | string[], string][] = [
    ['the spec example', `profile="${PROFILE}"`, PROFILE],
    ['other members around it', `version="2026-04-08", profile="${PROFILE}";v=1, x=?1`, PROFILE],
    [
      'plain http (the fetcher decides on it)',
      'profile="http://127.0.0.1:8080/p.json"',
      'http://127.0.0.1:8080/p.json',
    ],
    ['the header repeated on two lines', ['x=1', `profile="${PROFILE}"`], PROFILE],
  ];
  for (const [when, header, url] of accepted) {
    it(`reads the profile URL from ${when}`, () => {
      expect(profileUrlOf(header)).toEqual({ ok: true, value: url });
    });
  }

  const refused: [string, string | undefined, RegExp][] = [
    ['the header is missing', undefined, /missing/],
    ['the header is empty', '  ', /missing/],
    ['it is no dictionary', 'profile=;=x', /not an RFC 8941 dictionary/],
    ['the URL is unquoted (a token)', `profile=${PROFILE}`, /not a string/],
    ['the quotes are unbalanced', `profile="${PROFILE}`, /not an RFC 8941 dictionary/],
    ['there is no profile member', `agent="${PROFILE}"`, /no profile member/],
    ['the profile is an inner list', `profile=("${PROFILE}")`, /not a string/],
    ['the profile is a boolean', 'profile', /not a string/],
    ['the profile is a relative URL', 'profile="/profiles/agent.json"', /not an absolute URL/],
    ['the profile is not http(s)', 'profile="ftp://agent.example/p.json"', /not http\(s\)/],
    ['the profile is a javascript: URL', 'profile="javascript:alert(1)"', /not http\(s\)/],
  ];
  for (const [when, header, reason] of refused) {
    it(`is invalid_profile_url when ${when}`, () => {
      const result = profileUrlOf(header);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.failure.code).toBe('invalid_profile_url');
      expect(result.failure.content).toMatch(reason);
    });
  }
});
