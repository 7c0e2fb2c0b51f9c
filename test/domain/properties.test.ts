import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { severityOf } from '../../src/domain/actions.js';
import type { AuthorityRequest } from '../../src/domain/authority.js';
import type { EvaluationContext } from '../../src/domain/context.js';
import {
  CommerceDecisionSchema,
  type ProductActionProfile,
  ProductActionProfileSchema,
} from '../../src/domain/decision.js';
import {
  decisionFor,
  type EvaluationOptions,
  evaluateProduct,
} from '../../src/domain/eligibility/evaluate.js';
import { type PolicyFact, PolicyIndex } from '../../src/domain/policy.js';
import { toInstant, toMs } from '../../src/domain/time.js';
import { factState, type ProductFacts } from '../../src/domain/truth.js';
import {
  authorityArb,
  contextArb,
  optionsArb,
  policiesArb,
  productArb,
  validAuthorityFor,
} from '../support/arbitraries.js';
import { NOW_MS } from '../support/facts.js';

const RUNS = { numRuns: 500 };

function evaluate(
  product: ProductFacts,
  policies: readonly PolicyFact[],
  context: EvaluationContext,
  options: EvaluationOptions,
  nowMs = NOW_MS,
  authority?: AuthorityRequest,
): ProductActionProfile {
  return evaluateProduct(product, new PolicyIndex(policies), context, nowMs, options, authority);
}

/** One way of making the facts staler: older observation, shorter TTL, or a later now. */
type Staler =
  | { kind: 'observed-earlier'; fact: 'price' | 'inventory'; byS: number }
  | { kind: 'shorter-ttl'; fact: 'price' | 'inventory'; byS: number }
  | { kind: 'later-now'; byS: number };

const stalerArb: fc.Arbitrary<Staler> = fc.oneof(
  fc.record({
    kind: fc.constant('observed-earlier' as const),
    fact: fc.constantFrom('price' as const, 'inventory' as const),
    byS: fc.integer({ min: 1, max: 2 * 86_400 }),
  }),
  fc.record({
    kind: fc.constant('shorter-ttl' as const),
    fact: fc.constantFrom('price' as const, 'inventory' as const),
    byS: fc.integer({ min: 1, max: 86_400 }),
  }),
  fc.record({
    kind: fc.constant('later-now' as const),
    byS: fc.integer({ min: 1, max: 2 * 86_400 }),
  }),
);

/**
 * The policies whose windows neither open nor close between NOW and the later now, so that only
 * freshness differs between the two evaluations.
 */
function steadyPolicies(policies: PolicyFact[], staler: Staler): PolicyFact[] {
  if (staler.kind !== 'later-now') return policies;
  const laterMs = NOW_MS + staler.byS * 1000;
  const crosses = (instant: string | null) =>
    instant !== null && toMs(instant) > NOW_MS && toMs(instant) <= laterMs;
  return policies.filter((p) => !crosses(p.validFrom) && !crosses(p.validTo));
}

/** The staler product and the now to evaluate it at. */
function makeStaler(
  product: ProductFacts,
  staler: Staler,
): { product: ProductFacts; nowMs: number } {
  if (staler.kind === 'later-now') return { product, nowMs: NOW_MS + staler.byS * 1000 };
  const fact = product[staler.fact];
  if (fact === undefined) return { product, nowMs: NOW_MS };
  const changed =
    staler.kind === 'observed-earlier'
      ? { ...fact, observedAt: toInstant(toMs(fact.observedAt) - staler.byS * 1000) }
      : { ...fact, ttlSeconds: Math.max(1, fact.ttlSeconds - staler.byS) };
  return { product: { ...product, [staler.fact]: changed }, nowMs: NOW_MS };
}

describe('evaluateProduct, for any product, policy set and context', () => {
  it('never grows less severe when a fact grows staler', () => {
    fc.assert(
      fc.property(
        productArb,
        policiesArb,
        contextArb,
        optionsArb,
        stalerArb,
        (product, policies, context, options, staler) => {
          const steady = steadyPolicies(policies, staler);
          const before = evaluate(product, steady, context, options);
          const after = makeStaler(product, staler);
          const later = evaluate(after.product, steady, context, options, after.nowMs);
          expect(later.decisions).toHaveLength(before.decisions.length);
          before.decisions.forEach((decision, i) => {
            const next = later.decisions[i];
            expect(next?.action).toBe(decision.action);
            expect(next?.policyDomain).toBe(decision.policyDomain);
            expect(severityOf(next?.result ?? 'allowed')).toBeGreaterThanOrEqual(
              severityOf(decision.result),
            );
          });
        },
      ),
      RUNS,
    );
  });

  it('allows delegate_payment only if it allows prepare_checkout, and that only if add_to_cart', () => {
    const withAuthority = productArb.chain((product) =>
      fc.tuple(
        fc.constant(product),
        fc.oneof(
          fc.constant(undefined),
          fc.constant(validAuthorityFor(product)),
          authorityArb(product),
        ),
      ),
    );
    fc.assert(
      fc.property(
        withAuthority,
        policiesArb,
        contextArb,
        optionsArb,
        ([product, authority], policies, context, options) => {
          const profile = evaluate(product, policies, context, options, NOW_MS, authority);
          const allowed = (action: 'add_to_cart' | 'prepare_checkout' | 'delegate_payment') =>
            decisionFor(profile, action)?.allowed === true;
          if (allowed('delegate_payment')) expect(allowed('prepare_checkout')).toBe(true);
          if (allowed('prepare_checkout')) expect(allowed('add_to_cart')).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('with a valid mandate, allows delegate_payment exactly when it allows prepare_checkout', () => {
    fc.assert(
      fc.property(
        productArb,
        policiesArb,
        contextArb,
        optionsArb,
        (product, policies, context, options) => {
          const authority = validAuthorityFor(product);
          const profile = evaluate(product, policies, context, options, NOW_MS, authority);
          expect(decisionFor(profile, 'delegate_payment')?.allowed).toBe(
            decisionFor(profile, 'prepare_checkout')?.allowed,
          );
        },
      ),
      RUNS,
    );
  });

  it('is valid no longer than any fresh fact, policy window or mandate it cites, and not before now', () => {
    const withAuthority = productArb.chain((product) =>
      fc.tuple(fc.constant(product), fc.option(authorityArb(product), { nil: undefined })),
    );
    fc.assert(
      fc.property(
        withAuthority,
        policiesArb,
        contextArb,
        optionsArb,
        ([product, authority], policies, context, options) => {
          const profile = evaluate(product, policies, context, options, NOW_MS, authority);
          const byId = new Map(policies.map((p) => [`${p.id}@v${p.version}`, p]));
          for (const decision of profile.decisions) {
            const until = decision.validUntil === null ? null : toMs(decision.validUntil);
            if (until !== null) expect(until).toBeGreaterThanOrEqual(NOW_MS);
            for (const ref of decision.evidenceRefs) {
              let boundMs: number | null = null;
              if (ref.type === 'commercial_truth') {
                const match = /^(.+)\/(price|inventory)@(.+)$/.exec(ref.id);
                expect(match?.[1]).toBe(product.id);
                const fact = product[match?.[2] as 'price' | 'inventory'];
                // The id names the very observation that was used.
                expect(fact?.observedAt).toBe(match?.[3]);
                const state = factState(fact, NOW_MS);
                if (state.freshness === 'fresh') boundMs = state.expiresAtMs;
              } else if (ref.type === 'policy_fact') {
                const policy = byId.get(ref.id);
                expect(policy).toBeDefined();
                if (policy?.validTo != null) boundMs = toMs(policy.validTo);
              } else if (ref.type === 'authority_record' && authority?.mandate !== undefined) {
                // A live mandate holds until it expires or a later-dated revocation lands.
                const { expiresAt, revokedAt } = authority.mandate;
                const ends = [expiresAt, revokedAt].flatMap((at) => (at == null ? [] : [toMs(at)]));
                if (ends.every((ms) => ms > NOW_MS)) boundMs = Math.min(...ends);
              }
              if (boundMs !== null) {
                expect(until, `${decision.action} cites ${ref.id}`).not.toBeNull();
                expect(until).toBeLessThanOrEqual(boundMs);
              }
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('is deterministic: same input and now, same output, whatever the index has seen', () => {
    fc.assert(
      fc.property(
        productArb,
        productArb,
        policiesArb,
        contextArb,
        optionsArb,
        fc.integer({ min: 1, max: 4 * 86_400_000 }),
        (product, other, policies, context, options, skewMs) => {
          const index = new PolicyIndex(policies);
          const first = evaluateProduct(product, index, context, NOW_MS, options);
          const again = evaluateProduct(product, index, context, NOW_MS, options);
          // Another product at another now in between must neither read nor leave stale memo.
          const otherLater = evaluateProduct(other, index, context, NOW_MS + skewMs, options);
          const otherAlone = evaluateProduct(
            other,
            new PolicyIndex(policies),
            context,
            NOW_MS + skewMs,
            options,
          );
          expect(otherLater).toEqual(otherAlone);
          const afterOther = evaluateProduct(product, index, context, NOW_MS, options);
          const fresh = evaluateProduct(
            product,
            new PolicyIndex(policies),
            context,
            NOW_MS,
            options,
          );
          expect(again).toEqual(first);
          expect(afterOther).toEqual(first);
          expect(fresh).toEqual(first);
        },
      ),
      RUNS,
    );
  });

  it('says allowed exactly when the result is allowed, with blockers exactly when it is not', () => {
    const withAuthority = productArb.chain((product) =>
      fc.tuple(fc.constant(product), fc.option(authorityArb(product), { nil: undefined })),
    );
    fc.assert(
      fc.property(
        withAuthority,
        policiesArb,
        contextArb,
        optionsArb,
        ([product, authority], policies, context, options) => {
          const profile = evaluate(product, policies, context, options, NOW_MS, authority);
          expect(ProductActionProfileSchema.safeParse(profile).success).toBe(true);
          for (const decision of profile.decisions) {
            expect(decision.allowed).toBe(decision.result === 'allowed');
            expect(decision.blockers.length > 0).toBe(decision.result !== 'allowed');
            const parsed = CommerceDecisionSchema.safeParse(decision);
            expect(parsed.error?.issues ?? []).toEqual([]);
          }
          const earliest = profile.decisions
            .map((d) => d.validUntil)
            .filter((v): v is string => v !== null)
            .sort()[0];
          expect(profile.validUntil).toBe(earliest ?? null);
        },
      ),
      RUNS,
    );
  });

  it('lists every blocker code at most once per decision', () => {
    fc.assert(
      fc.property(
        productArb,
        policiesArb,
        contextArb,
        optionsArb,
        (product, policies, context, options) => {
          const profile = evaluate(product, policies, context, options);
          for (const decision of profile.decisions) {
            const keys = decision.blockers.map((b) => `${b.code}|${b.message}`);
            expect(new Set(keys).size).toBe(keys.length);
            const refs = decision.evidenceRefs.map((r) => `${r.type}|${r.id}`);
            expect(new Set(refs).size).toBe(refs.length);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('the arbitraries', () => {
  it('reach every result for checkout and payment, so the properties are not vacuous', () => {
    const samples = fc.sample(
      fc
        .tuple(productArb, policiesArb, contextArb, optionsArb)
        .chain(([product, ...rest]) =>
          fc.tuple(
            fc.constant(product),
            ...rest.map((arb) => fc.constant(arb)),
            fc.option(fc.constant(validAuthorityFor(product)), { nil: undefined }),
          ),
        ),
      { numRuns: 2000, seed: 42 },
    );
    const seen = new Set<string>();
    for (const [product, policies, context, options, authority] of samples) {
      const profile = evaluate(
        product as ProductFacts,
        policies as PolicyFact[],
        context as EvaluationContext,
        options as EvaluationOptions,
        NOW_MS,
        authority as AuthorityRequest | undefined,
      );
      for (const decision of profile.decisions) {
        seen.add(`${decision.action}:${decision.result}`);
        for (const b of decision.blockers) seen.add(b.code);
      }
    }
    for (const expected of [
      'add_to_cart:allowed',
      'add_to_cart:requires_revalidation',
      'prepare_checkout:allowed',
      'prepare_checkout:requires_review',
      'prepare_checkout:blocked',
      'delegate_payment:allowed',
      'compare:requires_revalidation',
      'POLICY_CONFLICT',
      'POLICY_NOT_QUOTEABLE',
      'REGION_RESTRICTED',
      'OUT_OF_STOCK',
    ]) {
      expect([...seen].sort()).toContain(expected);
    }
  });
});
