import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Excluded } from '../../feeds/feed-format.js';
import { openAiFlatFeed, projectOpenAiFlatItem } from '../../feeds/openai-flat-feed.js';
import { evaluateProduct, factState, PolicyIndex, toInstant } from '../../src/domain/index.js';
import { openAiFlatRowProblems } from '../helpers/openai-flat-spec.js';
import { contextArb, listedProductArb, policiesArb, sellerArb } from '../support/arbitraries.js';
import { NOW_MS } from '../support/facts.js';

/** The compiled serializer does not depend on the seller: compile it once. */
const { serialize } = openAiFlatFeed();

describe('openai-flat, for any product, policy set, context and seller configuration', () => {
  it('publishes a complete row with a fresh price, or leaves the product out with a reason', () => {
    const seen = { published: 0, excluded: 0 };
    fc.assert(
      fc.property(
        listedProductArb,
        policiesArb,
        contextArb,
        sellerArb,
        (product, policies, context, seller) => {
          const profile = evaluateProduct(product, new PolicyIndex(policies), context, NOW_MS);
          const input = { product, profile, publishedAt: toInstant(NOW_MS) };
          const item = projectOpenAiFlatItem(input, seller);
          if (item instanceof Excluded) {
            seen.excluded += 1;
            expect(item.reasons.length).toBeGreaterThan(0);
            return;
          }
          seen.published += 1;
          const line = JSON.parse(serialize(item));
          expect(openAiFlatRowProblems(line)).toEqual([]);
          expect(factState(product.price, NOW_MS).freshness).toBe('fresh');
          if (line.is_eligible_checkout) expect(line.is_eligible_search).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
    // Not vacuous: both outcomes occurred.
    expect(seen.published).toBeGreaterThan(0);
    expect(seen.excluded).toBeGreaterThan(0);
  });
});
