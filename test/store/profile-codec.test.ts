import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoCatalog } from '../../src/demo/demo-catalog.js';
import {
  DEFAULT_CONTEXTS,
  evaluateProduct,
  FactsDocumentSchema,
  PolicyIndex,
  toMs,
  unknownProductProfile,
} from '../../src/domain/index.js';
import { decisionSignatures, decodeProfile, encodeProfile } from '../../src/store/profile-codec.js';

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
      expect(compact).toBeLessThan(full / 2.5);
    });
  });

  describe('decision signatures', () => {
    const index = new PolicyIndex(doc.policies);
    const product = doc.products[0]!;
    const context = DEFAULT_CONTEXTS[0]!;

    it('ignore evaluatedAt: re-evaluating unchanged facts is not a change', () => {
      const a = encodeProfile(evaluateProduct(product, index, context, nowMs), 'f', 'p');
      const b = encodeProfile(evaluateProduct(product, index, context, nowMs + 1_000), 'f', 'p');
      expect(decisionSignatures(b)).toEqual(decisionSignatures(a));
    });

    it('differ when a decision changes', () => {
      const before = encodeProfile(evaluateProduct(product, index, context, nowMs), 'f', 'p');
      const priceGone = { ...product, price: undefined };
      const after = encodeProfile(evaluateProduct(priceGone, index, context, nowMs), 'f', 'p');
      const a = decisionSignatures(before);
      const b = decisionSignatures(after);
      expect(b.get('compare/')).not.toEqual(a.get('compare/'));
      expect(b.get('discover/')).toEqual(a.get('discover/'));
    });
  });
});
