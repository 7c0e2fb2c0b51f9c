import { describe, expect, it } from 'vitest';
import {
  BUSINESS_CAPABILITIES,
  responseCapabilities,
  UCP_OPERATION_CAPABILITY,
  type UcpOperation,
} from '../../src/adapters/ucp/capabilities.js';
import { UCP_CAPABILITY } from '../../src/adapters/ucp/negotiated.js';
import { negotiate } from '../../src/adapters/ucp/negotiation.js';
import { parsePlatformProfile } from '../../src/adapters/ucp/platform-profile.js';
import { UCP_VERSION } from '../../src/adapters/ucp/version.js';

const PROFILE_URL = 'https://platform.example/profile.json';

/** A platform profile naming each capability at our version. */
function platform(names: string[], version = UCP_VERSION) {
  const parsed = parsePlatformProfile({
    ucp: {
      version,
      services: {},
      payment_handlers: {},
      capabilities: Object.fromEntries(
        names.map((name) => [
          name,
          [{ version: UCP_VERSION, spec: 'https://x', schema: 'https://y' }],
        ]),
      ),
    },
  });
  if (!parsed.ok) throw new Error(parsed.failure.content);
  return parsed.value;
}

const OPERATIONS = Object.keys(UCP_OPERATION_CAPABILITY) as UcpOperation[];

/** The root capabilities (every one but the AP2 mandates extension of checkout). */
const ROOTS = Object.values(UCP_CAPABILITY).filter((name) => name !== UCP_CAPABILITY.ap2Mandate);

describe('negotiate', () => {
  describe('when the platform speaks another protocol version', () => {
    it('is version_unsupported, naming both versions', () => {
      const result = negotiate(platform(ROOTS, '2026-01-11'), 'get_checkout', PROFILE_URL);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.failure.code).toBe('version_unsupported');
      expect(result.failure.content).toContain('2026-01-11');
      expect(result.failure.content).toContain(UCP_VERSION);
    });
  });

  describe('when the platform shares every root capability', () => {
    for (const operation of OPERATIONS) {
      it(`negotiates all four for ${operation}, at our version`, () => {
        const result = negotiate(platform(ROOTS), operation, PROFILE_URL);
        expect(result).toEqual({
          ok: true,
          value: {
            version: UCP_VERSION,
            profileUrl: PROFILE_URL,
            capabilities: Object.fromEntries(ROOTS.map((name) => [name, { version: UCP_VERSION }])),
          },
        });
      });
    }
  });

  describe('the AP2 mandates extension', () => {
    it('is negotiated on checkout, with our declaration naming its parent', () => {
      const result = negotiate(
        platform([UCP_CAPABILITY.checkout, UCP_CAPABILITY.ap2Mandate]),
        'complete_checkout',
        PROFILE_URL,
      );
      expect(result.ok && result.value.capabilities).toEqual({
        [UCP_CAPABILITY.checkout]: { version: UCP_VERSION },
        [UCP_CAPABILITY.ap2Mandate]: { version: UCP_VERSION, extends: UCP_CAPABILITY.checkout },
      });
    });

    it('is pruned when checkout is not shared', () => {
      const result = negotiate(
        platform([UCP_CAPABILITY.order, UCP_CAPABILITY.ap2Mandate]),
        'get_order',
        PROFILE_URL,
      );
      expect(result.ok && Object.keys(result.value.capabilities)).toEqual([UCP_CAPABILITY.order]);
    });

    it("carries the platform profile's signing_keys for the trusted platform provider flow", () => {
      const key = { kid: 'platform-1', kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
      const parsed = parsePlatformProfile({ ...platform(ROOTS), signing_keys: [key] });
      if (!parsed.ok) throw new Error(parsed.failure.content);
      const result = negotiate(parsed.value, 'complete_checkout', PROFILE_URL);
      expect(result.ok && result.value.platformSigningKeys).toEqual([key]);
    });

    it('refuses a profile whose signing key has no kid as malformed', () => {
      const parsed = parsePlatformProfile({ ...platform(ROOTS), signing_keys: [{ kty: 'EC' }] });
      expect(parsed.ok ? 'ok' : parsed.failure.code).toBe('profile_malformed');
    });
  });

  describe("when the operation's own capability is not shared", () => {
    for (const operation of OPERATIONS) {
      const needed = UCP_OPERATION_CAPABILITY[operation];
      it(`refuses ${operation} with capabilities_incompatible though others are shared`, () => {
        const others = Object.values(UCP_CAPABILITY).filter((name) => name !== needed);
        const result = negotiate(platform(others), operation, PROFILE_URL);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.failure.code).toBe('capabilities_incompatible');
        expect(result.failure.content).toContain(needed);
      });
    }
  });

  describe('when the capability sets are disjoint', () => {
    it('is capabilities_incompatible', () => {
      const result = negotiate(platform(['dev.ucp.shopping.cart']), 'create_checkout', PROFILE_URL);
      expect(result.ok ? 'ok' : result.failure.code).toBe('capabilities_incompatible');
    });
  });
});

describe('BUSINESS_CAPABILITIES', () => {
  it('declares the four capabilities we serve, and the AP2 mandates extension of checkout alone', () => {
    expect(Object.keys(BUSINESS_CAPABILITIES).sort()).toEqual(Object.values(UCP_CAPABILITY).sort());
    for (const name of ROOTS)
      for (const declaration of BUSINESS_CAPABILITIES[name as keyof typeof BUSINESS_CAPABILITIES])
        expect(declaration).not.toHaveProperty('extends');
    expect(BUSINESS_CAPABILITIES[UCP_CAPABILITY.ap2Mandate]).toEqual([
      {
        version: UCP_VERSION,
        spec: `https://ucp.dev/${UCP_VERSION}/specification/ap2-mandates`,
        schema: `https://ucp.dev/${UCP_VERSION}/schemas/shopping/ap2_mandate.json`,
        extends: UCP_CAPABILITY.checkout,
        config: { vp_formats_supported: { 'dc+sd-jwt': {} } },
      },
    ]);
  });

  it('names each one by the spec page and schema file of our release', () => {
    expect(BUSINESS_CAPABILITIES[UCP_CAPABILITY.catalogSearch]).toEqual([
      {
        version: UCP_VERSION,
        spec: `https://ucp.dev/${UCP_VERSION}/specification/catalog/search`,
        schema: `https://ucp.dev/${UCP_VERSION}/schemas/shopping/catalog_search.json`,
      },
    ]);
  });
});

describe('responseCapabilities', () => {
  const negotiated = {
    capabilities: {
      [UCP_CAPABILITY.checkout]: { version: UCP_VERSION },
      [UCP_CAPABILITY.order]: { version: UCP_VERSION },
      [UCP_CAPABILITY.catalogSearch]: { version: UCP_VERSION },
      'dev.ucp.shopping.fulfillment': { version: UCP_VERSION, extends: UCP_CAPABILITY.checkout },
      'dev.ucp.shopping.discount': {
        version: UCP_VERSION,
        extends: ['dev.ucp.shopping.cart', UCP_CAPABILITY.checkout],
      },
      'com.example.order_notes': { version: UCP_VERSION, extends: UCP_CAPABILITY.order },
    },
  };

  const CASES: [UcpOperation, string[]][] = [
    [
      'update_checkout',
      [UCP_CAPABILITY.checkout, 'dev.ucp.shopping.discount', 'dev.ucp.shopping.fulfillment'],
    ],
    ['get_order', ['com.example.order_notes', UCP_CAPABILITY.order]],
    ['search_catalog', [UCP_CAPABILITY.catalogSearch]],
    // Lookup was not negotiated here: nothing of it to list.
    ['lookup_catalog', []],
  ];
  for (const [operation, names] of CASES) {
    it(`lists for ${operation} its root and the extensions of that root, nothing else`, () => {
      expect(Object.keys(responseCapabilities(negotiated, operation)).sort()).toEqual(names);
    });
  }

  it('lists each as [{version, extends?}]', () => {
    expect(responseCapabilities(negotiated, 'create_checkout')).toEqual({
      [UCP_CAPABILITY.checkout]: [{ version: UCP_VERSION }],
      'dev.ucp.shopping.fulfillment': [{ version: UCP_VERSION, extends: UCP_CAPABILITY.checkout }],
      'dev.ucp.shopping.discount': [
        { version: UCP_VERSION, extends: ['dev.ucp.shopping.cart', UCP_CAPABILITY.checkout] },
      ],
    });
  });
});
