import { describe, expect, it } from 'vitest';
import { parsePlatformProfile } from '../../src/adapters/ucp/platform-profile.js';

const VALID = {
  ucp: {
    version: '2026-04-08',
    services: { 'dev.ucp.shopping': [{ version: '2026-04-08', transport: 'rest' }] },
    capabilities: {
      'dev.ucp.shopping.checkout': [
        { version: '2026-04-08', spec: 'https://s', schema: 'https://j' },
      ],
      'dev.ucp.shopping.fulfillment': [
        { version: '2026-04-08', extends: 'dev.ucp.shopping.checkout', config: { a: 1 } },
      ],
    },
    payment_handlers: { 'com.google.pay': [{ id: 'gpay', version: '2024-12-03' }] },
  },
  signing_keys: [{ kid: 'k', kty: 'EC' }],
};

function without(path: string[]): unknown {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  delete at[path.at(-1) as string];
  return copy;
}

function withValue(path: string[], value: unknown): unknown {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1) as string] = value;
  return copy;
}

describe('parsePlatformProfile', () => {
  it('reads the version and the capability registry, keeping unknown members', () => {
    const result = parsePlatformProfile(VALID);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.ucp.version).toBe('2026-04-08');
    expect(result.value.ucp.capabilities['dev.ucp.shopping.fulfillment']).toEqual([
      { version: '2026-04-08', extends: 'dev.ucp.shopping.checkout', config: { a: 1 } },
    ]);
    expect(result.value).toHaveProperty('signing_keys');
  });

  it('takes a profile without capabilities as an empty registry', () => {
    const result = parsePlatformProfile(without(['ucp', 'capabilities']));
    expect(result.ok && result.value.ucp.capabilities).toEqual({});
  });

  const MALFORMED: [string, unknown, RegExp][] = [
    ['it is not an object', 'profile', /\$/],
    ['there is no ucp member', { version: '2026-04-08' }, /ucp/],
    ['the version is not a date', withValue(['ucp', 'version'], 'draft'), /version/],
    [
      'services are missing (the platform schema requires them)',
      without(['ucp', 'services']),
      /services/,
    ],
    ['payment_handlers are missing', without(['ucp', 'payment_handlers']), /payment_handlers/],
    [
      'a capability is no array',
      withValue(['ucp', 'capabilities'], { 'dev.ucp.shopping.checkout': {} }),
      /capabilities/,
    ],
    [
      'a capability version is not a date',
      withValue(['ucp', 'capabilities'], { 'dev.ucp.shopping.checkout': [{ version: 'latest' }] }),
      /version/,
    ],
    [
      'a capability name is not reverse-domain',
      withValue(['ucp', 'capabilities'], { Checkout: [{ version: '2026-04-08' }] }),
      /capabilities/,
    ],
    [
      'extends is an empty list',
      withValue(['ucp', 'capabilities'], {
        'dev.ucp.shopping.fulfillment': [{ version: '2026-04-08', extends: [] }],
      }),
      /extends/,
    ],
  ];
  for (const [when, document, where] of MALFORMED) {
    it(`is profile_malformed when ${when}`, () => {
      const result = parsePlatformProfile(document);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.failure.code).toBe('profile_malformed');
      expect(result.failure.content).toMatch(where);
    });
  }
});
