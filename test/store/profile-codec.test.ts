import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import {
  DEFAULT_CONTEXTS,
  evaluateProduct,
  FactsDocumentSchema,
  PolicyIndex,
  readinessEntryOf,
  toMs,
  unknownProductProfile,
} from '../../src/domain/index.js';
import {
  decisionKey,
  decodeProfile,
  encodeProfile,
  encodeProfileJson,
  type StoredProfile,
  sameDecision,
  storedReadiness,
} from '../../src/store/profile-codec.js';
import {
  authorityArb,
  contextArb,
  optionsArb,
  policiesArb,
  productArb,
} from '../support/arbitraries.js';
import { NOW_MS } from '../support/facts.js';

/** decision key → whether it means the same in both profiles */
function sameness(a: StoredProfile, b: StoredProfile): Map<string, boolean> {
  const byKey = new Map(a.d.map((d) => [decisionKey(d), d]));
  return new Map(
    b.d.map((d) => [decisionKey(d), sameDecision(byKey.get(decisionKey(d))!, a, d, b)]),
  );
}

const doc = FactsDocumentSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/travel-backpack.json', import.meta.url), 'utf8')),
);
const nowMs = toMs(doc.now);

describe('profile codec', () => {
  describe('when a profile is encoded and decoded', () => {
    it('gives back exactly what the domain returned, for every demo product and context', () => {
      const { products, policies } = demoCatalog(nowMs);
      const index = new PolicyIndex(policies);
      for (const product of products) {
        for (const context of DEFAULT_CONTEXTS) {
          const profile = evaluateProduct(product, index, context, nowMs);
          const stored = JSON.parse(JSON.stringify(encodeProfile(profile, 'f', 'p')));
          expect(decodeProfile(product.id, context, stored)).toEqual(profile);
        }
      }
    });

    it('keeps the readiness the domain gives the profile, for every demo product and context', () => {
      const { products, policies } = demoCatalog(nowMs);
      const index = new PolicyIndex(policies);
      const states = new Set<string>();
      for (const product of products) {
        for (const context of DEFAULT_CONTEXTS) {
          const profile = evaluateProduct(product, index, context, nowMs);
          const stored = JSON.parse(encodeProfileJson(profile, 'f', 'p')) as StoredProfile;
          expect(storedReadiness(stored)).toEqual(readinessEntryOf(profile.decisions));
          states.add(storedReadiness(stored).state);
        }
      }
      expect([...states].sort()).toEqual(['blocked', 'partially_ready', 'ready']);
    });

    it('round-trips the unknown-product profile', () => {
      const context = DEFAULT_CONTEXTS[0]!;
      const profile = unknownProductProfile('NOPE', context, nowMs);
      expect(decodeProfile('NOPE', context, encodeProfile(profile, 'f', 'p'))).toEqual(profile);
    });

    it('stores the Travel Backpack in a fraction of its full JSON', () => {
      const profile = evaluateProduct(
        doc.products[0]!,
        new PolicyIndex(doc.policies),
        DEFAULT_CONTEXTS[0]!,
        nowMs,
      );
      const full = JSON.stringify(profile).length;
      const compact = JSON.stringify(encodeProfile(profile, 'f', 'p')).length;
      expect(compact).toBeLessThan(full / 4);
    });
  });

  describe('encodeProfileJson', () => {
    it('writes the very bytes JSON.stringify writes of the encoded profile, for the demo catalog', () => {
      const { products, policies } = demoCatalog(nowMs);
      const index = new PolicyIndex(policies);
      for (const product of products) {
        for (const context of DEFAULT_CONTEXTS) {
          const profile = evaluateProduct(product, index, context, nowMs);
          expect(encodeProfileJson(profile, 'f1', 'p"2')).toBe(
            JSON.stringify(encodeProfile(profile, 'f1', 'p"2')),
          );
        }
      }
      const unknown = unknownProductProfile('N"O\u2028PE', DEFAULT_CONTEXTS[0]!, nowMs);
      expect(encodeProfileJson(unknown, 'f', 'p')).toBe(
        JSON.stringify(encodeProfile(unknown, 'f', 'p')),
      );
    });

    it('writes the same bytes for any product, ids needing escapes, policies, context and authority', () => {
      const oddId = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
      fc.assert(
        fc.property(
          productArb.chain((product) =>
            fc.tuple(
              oddId.map((id) => ({ ...product, id, sku: product.sku })),
              fc.option(authorityArb(product), { nil: undefined }),
            ),
          ),
          policiesArb,
          contextArb,
          optionsArb,
          ([product, authority], policies, context, options) => {
            const index = new PolicyIndex(policies);
            // Twice: the second run meets the blockers and citations the first one cached.
            for (let round = 0; round < 2; round += 1) {
              const profile = evaluateProduct(product, index, context, NOW_MS, options, authority);
              expect(encodeProfileJson(profile, 'f', 'p')).toBe(
                JSON.stringify(encodeProfile(profile, 'f', 'p')),
              );
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('sameDecision', () => {
    const index = new PolicyIndex(doc.policies);
    const product = doc.products[0]!;
    const context = DEFAULT_CONTEXTS[0]!;

    it('ignore evaluatedAt: re-evaluating unchanged facts is not a change', () => {
      const a = encodeProfile(evaluateProduct(product, index, context, nowMs), 'f', 'p');
      const b = encodeProfile(evaluateProduct(product, index, context, nowMs + 1_000), 'f', 'p');
      expect([...sameness(a, b).values()].every(Boolean)).toBe(true);
      expect(b.e).not.toBe(a.e);
    });

    it('differ when a decision changes', () => {
      const before = encodeProfile(evaluateProduct(product, index, context, nowMs), 'f', 'p');
      const priceGone = { ...product, price: undefined };
      const after = encodeProfile(evaluateProduct(priceGone, index, context, nowMs), 'f', 'p');
      const same = sameness(before, after);
      expect(same.get('compare/')).toBe(false);
      expect(same.get('discover/')).toBe(true);
    });
  });
});
