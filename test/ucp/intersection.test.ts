import { describe, expect, it } from 'vitest';
import type { CapabilityRegistry } from '../../src/adapters/ucp/capabilities.js';
import { intersection } from '../../src/adapters/ucp/intersection.js';

const CHECKOUT = 'dev.ucp.shopping.checkout';
const CART = 'dev.ucp.shopping.cart';
const FULFILLMENT = 'dev.ucp.shopping.fulfillment';
const DISCOUNT = 'dev.ucp.shopping.discount';
const GIFT_WRAP = 'com.example.gift_wrap';
const V1 = '2026-01-11';
const V2 = '2026-01-23';
const V3 = '2026-04-08';

interface Case {
  when: string;
  business: CapabilityRegistry;
  platform: CapabilityRegistry;
  /** name → negotiated version (and parents), exactly. */
  expected: Record<string, { version: string; extends?: string | string[] }>;
}

const CASES: Case[] = [
  {
    when: 'both name a capability in one shared version',
    business: { [CHECKOUT]: [{ version: V3 }] },
    platform: { [CHECKOUT]: [{ version: V3 }] },
    expected: { [CHECKOUT]: { version: V3 } },
  },
  {
    when: 'several versions are shared, the highest one wins',
    business: { [CHECKOUT]: [{ version: V1 }, { version: V3 }, { version: V2 }] },
    platform: { [CHECKOUT]: [{ version: V2 }, { version: V1 }, { version: V3 }] },
    expected: { [CHECKOUT]: { version: V3 } },
  },
  {
    when: 'the highest version of one side is unknown to the other',
    business: { [CHECKOUT]: [{ version: V1 }, { version: V2 }] },
    platform: { [CHECKOUT]: [{ version: V1 }, { version: V3 }] },
    expected: { [CHECKOUT]: { version: V1 } },
  },
  {
    when: 'no version is shared, the capability is excluded',
    business: { [CHECKOUT]: [{ version: V3 }] },
    platform: { [CHECKOUT]: [{ version: V1 }] },
    expected: {},
  },
  {
    when: 'the capability sets are disjoint',
    business: { [CHECKOUT]: [{ version: V3 }] },
    platform: { [CART]: [{ version: V3 }] },
    expected: {},
  },
  {
    when: 'only the platform names a capability, it is not included',
    business: {},
    platform: { [CHECKOUT]: [{ version: V3 }] },
    expected: {},
  },
  {
    when: 'an extension and its parent are shared',
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
    },
    platform: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
    },
    expected: { [CHECKOUT]: { version: V3 }, [FULFILLMENT]: { version: V3, extends: CHECKOUT } },
  },
  {
    when: 'an extension is shared but its parent is not, it is pruned',
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
    },
    platform: { [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }] },
    expected: {},
  },
  {
    when: "an extension's parent shares no version, the extension is pruned",
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
    },
    platform: {
      [CHECKOUT]: [{ version: V1 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
    },
    expected: {},
  },
  {
    when: 'a multi-parent extension keeps one of its parents',
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [CART]: [{ version: V3 }],
      [DISCOUNT]: [{ version: V3, extends: [CHECKOUT, CART] }],
    },
    platform: { [CHECKOUT]: [{ version: V3 }], [DISCOUNT]: [{ version: V3 }] },
    expected: {
      [CHECKOUT]: { version: V3 },
      [DISCOUNT]: { version: V3, extends: [CHECKOUT, CART] },
    },
  },
  {
    when: 'a multi-parent extension keeps none of its parents',
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [CART]: [{ version: V3 }],
      [DISCOUNT]: [{ version: V3, extends: [CHECKOUT, CART] }],
    },
    platform: { [DISCOUNT]: [{ version: V3 }] },
    expected: {},
  },
  {
    when: 'a transitive chain stands on its root',
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
      [GIFT_WRAP]: [{ version: V3, extends: FULFILLMENT }],
    },
    platform: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3 }],
      [GIFT_WRAP]: [{ version: V3 }],
    },
    expected: {
      [CHECKOUT]: { version: V3 },
      [FULFILLMENT]: { version: V3, extends: CHECKOUT },
      [GIFT_WRAP]: { version: V3, extends: FULFILLMENT },
    },
  },
  {
    when: 'the root of a transitive chain is missing, every link falls (pruning repeats)',
    business: {
      // The grandchild comes first, so one pass in declaration order would leave it behind.
      [GIFT_WRAP]: [{ version: V3, extends: FULFILLMENT }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
      [CHECKOUT]: [{ version: V3 }],
    },
    platform: { [GIFT_WRAP]: [{ version: V3 }], [FULFILLMENT]: [{ version: V3 }] },
    expected: {},
  },
  {
    when: 'the middle link of a chain shares no version, the links above it fall',
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
      [GIFT_WRAP]: [{ version: V3, extends: FULFILLMENT }],
    },
    platform: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V2 }],
      [GIFT_WRAP]: [{ version: V3 }],
    },
    expected: { [CHECKOUT]: { version: V3 } },
  },
  {
    when: "the platform's own `extends` differs, the business's declaration is kept",
    business: {
      [CHECKOUT]: [{ version: V3 }],
      [FULFILLMENT]: [{ version: V3, extends: CHECKOUT }],
    },
    platform: { [CHECKOUT]: [{ version: V3 }], [FULFILLMENT]: [{ version: V3, extends: CART }] },
    expected: { [CHECKOUT]: { version: V3 }, [FULFILLMENT]: { version: V3, extends: CHECKOUT } },
  },
];

describe('intersection', () => {
  for (const { when, business, platform, expected } of CASES) {
    describe(`when ${when}`, () => {
      it('negotiates exactly the expected capabilities', () => {
        expect(intersection(business, platform)).toEqual(expected);
      });
    });
  }

  it('leaves both registries as they were', () => {
    const business = { [CHECKOUT]: [{ version: V1 }, { version: V3 }] };
    const platform = { [CHECKOUT]: [{ version: V3 }, { version: V1 }] };
    const before = JSON.stringify([business, platform]);
    intersection(business, platform);
    expect(JSON.stringify([business, platform])).toBe(before);
  });
});
